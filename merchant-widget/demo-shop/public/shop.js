// The demo shop's only page script. When the Opentab widget reports a payment (opentab:paid), or
// an item bought before that the wallet still holds (opentab:owned, on a click or when the page
// loads), it asks this shop's server for the paid content with the access token and shows it.
// A failed payment (opentab:error) is the widget's to explain, under its button; the shop's own
// status line speaks only of the content it fetches.
// Tokens that opened their item are kept for the browser session, so paid items stay open on
// reload. Content goes into the page with textContent only, never as HTML.

(() => {
  var STORAGE_KEY = 'opentab-demo-access-tokens';

  function storedTokens() {
    var parsed;
    try {
      parsed = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || '{}');
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch (error) {
      return {};
    }
  }

  function rememberToken(itemId, token) {
    var tokens = storedTokens();
    if (token === null) delete tokens[itemId];
    else tokens[itemId] = token;
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    } catch (error) {
      // Storage full or disabled: the content still shows, it just will not survive a reload.
    }
  }

  function slotsFor(itemId) {
    return Array.prototype.filter.call(
      document.querySelectorAll('[data-paid-slot]'),
      (slot) => slot.getAttribute('data-paid-slot') === itemId,
    );
  }

  function setStatus(slot, text) {
    var status = slot.querySelector('[data-paid-status]');
    if (status) status.textContent = text;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function renderText(body, content) {
    content.sections.forEach((section) => {
      if (section.heading) body.appendChild(element('h2', null, section.heading));
      section.paragraphs.forEach((paragraph) => {
        body.appendChild(element('p', null, paragraph));
      });
    });
  }

  function renderImage(body, blob, itemId) {
    var url = URL.createObjectURL(blob);
    var image = element('img', 'delivered-image');
    image.src = url;
    image.alt = 'Your wallpaper';
    var link = element('a', 'download', 'Download the full-size file');
    link.href = url;
    link.download = itemId + '.svg';
    body.appendChild(image);
    body.appendChild(link);
  }

  /** A token from storage that no longer opens the item (it expired) is forgotten without a word. */
  function unlock(slot, token, fromStorage) {
    var itemId = slot.getAttribute('data-paid-slot');
    setStatus(slot, 'Opening…');
    return fetch(slot.getAttribute('data-content-url'), { headers: { authorization: 'Bearer ' + token } })
      .then((response) => {
        if (!response.ok) {
          if (response.status === 402) rememberToken(itemId, null);
          if (fromStorage && response.status === 402) setStatus(slot, '');
          else
            setStatus(
              slot,
              response.status === 402
                ? 'The payment was not accepted for this item; please try again.'
                : 'The content could not be loaded.',
            );
          return;
        }
        rememberToken(itemId, token);
        var body = slot.querySelector('[data-paid-body]');
        var isJson = (response.headers.get('content-type') || '').indexOf('application/json') === 0;
        return (isJson ? response.json() : response.blob()).then((content) => {
          body.textContent = '';
          if (isJson) renderText(body, content);
          else renderImage(body, content, itemId);
          body.hidden = false;
          slot.querySelector('[data-paywall]').hidden = true;
          slot.classList.add('is-paid');
        });
      })
      .catch(() => {
        setStatus(slot, 'The content could not be loaded; check your connection.');
      });
  }

  document.addEventListener('opentab:paid', (event) => {
    var detail = event.detail || {};
    var token = detail.receipt && detail.receipt.payload && detail.receipt.payload.accessToken;
    if (typeof detail.itemId !== 'string' || typeof token !== 'string') return;
    slotsFor(detail.itemId).forEach((slot) => {
      unlock(slot, token, false);
    });
  });

  document.addEventListener('opentab:owned', (event) => {
    var detail = event.detail || {};
    if (typeof detail.itemId !== 'string' || typeof detail.accessToken !== 'string') return;
    slotsFor(detail.itemId).forEach((slot) => {
      // Opened already, by a token this tab kept.
      if (!slot.classList.contains('is-paid')) unlock(slot, detail.accessToken, false);
    });
  });

  // A product delivered by the wallet (secure delivery): the wallet saved the file; nothing to fetch here.
  document.addEventListener('opentab:delivered', (event) => {
    var detail = event.detail || {};
    if (typeof detail.itemId !== 'string' || typeof detail.fileName !== 'string') return;
    Array.prototype.forEach.call(document.querySelectorAll('[data-delivery-slot]'), (slot) => {
      if (slot.getAttribute('data-delivery-slot') !== detail.itemId) return;
      var status = slot.querySelector('[data-delivery-status]');
      if (status) status.textContent = 'Saved as ' + detail.fileName + ', checked and decrypted by Opentab.';
      slot.classList.add('is-delivered');
    });
  });

  document.addEventListener('opentab:error', (event) => {
    var detail = event.detail || {};
    if (typeof detail.itemId !== 'string') return;
    slotsFor(detail.itemId).forEach((slot) => {
      setStatus(slot, '');
    });
  });

  function unlockPaidItems() {
    var tokens = storedTokens();
    Array.prototype.forEach.call(document.querySelectorAll('[data-paid-slot]'), (slot) => {
      var token = tokens[slot.getAttribute('data-paid-slot')];
      if (typeof token === 'string') unlock(slot, token, true);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', unlockPaidItems, { once: true });
  else unlockPaidItems();
})();
