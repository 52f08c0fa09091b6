import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright';
import type { Receipt } from '@opentab/protocol';
import {
  startWidgetFixture,
  type OpenedPage,
  type RecordedEvent,
  type WidgetFixture,
} from '@opentab/test-kit/widget/browser';
import { FAKE_BRIDGE_TEXT, MERCHANT_INFO, PAY_RELEASE_EVENT } from '@opentab/test-kit/widget';
import type { PageName } from '@opentab/test-kit/widget';

// Paying from a merchant page in real Chromium under a strict CSP, against a stand-in for the
// extension's content script that answers the bridge like the real one.

let fixture: WidgetFixture;
let opened: OpenedPage[] = [];

beforeAll(async () => {
  fixture = await startWidgetFixture();
}, 120_000);

afterAll(async () => {
  await fixture?.close();
});

afterEach(async () => {
  const pages = opened;
  opened = [];
  try {
    for (const page of pages) expect(await page.problems()).toEqual([]);
  } finally {
    await Promise.all(pages.map((page) => page.page.close()));
  }
});

/** Opens the page and waits until the article-42 button can be used. */
async function openReady(name: PageName): Promise<OpenedPage> {
  const page = await fixture.open(name);
  opened.push(page);
  await expect.poll(() => page.widgetIn('#row-42').button.getAttribute('aria-disabled')).toBe('false');
  return page;
}

const catalogueItem = (itemId: string) => MERCHANT_INFO.catalogue.find((item) => item.itemId === itemId)!;

async function eventsOfType(page: OpenedPage, type: string): Promise<RecordedEvent[]> {
  return (await page.events()).filter((event) => event.type === type);
}

function expectReceiptFor(receipt: Receipt, itemId: string): void {
  expect(receipt.payload).toMatchObject({
    type: 'receipt',
    merchantId: MERCHANT_INFO.merchantId,
    itemId,
    price: catalogueItem(itemId).price,
  });
  expect(receipt.payload.tabId).toMatch(/^tab_[0-9a-f]{24}$/);
  expect(typeof receipt.sig).toBe('string');
}

describe('paying', () => {
  it('pays on click, shows the paid state and raises opentab:paid on the element and document', async () => {
    const shop = await openReady('shop');
    const widget = shop.widgetIn('#row-42');
    // A listener on the page's own element, as a merchant would attach it.
    await shop.page.evaluate(() => {
      document.getElementById('buy-42')!.addEventListener('opentab:paid', (event) => {
        document.body.dataset.paidAtElement = (event as CustomEvent<{ itemId: string }>).detail.itemId;
      });
    });
    await widget.button.click();

    await expect.poll(() => eventsOfType(shop, 'opentab:paid')).toHaveLength(1);
    const [paid] = await eventsOfType(shop, 'opentab:paid');
    // Recorded by a listener on document, with the page's element as the target: it bubbled up.
    expect(paid!.target).toBe('buy-42');
    const detail = paid!.detail as { itemId: string; receipt: Receipt };
    expect(detail.itemId).toBe('article-42');
    expectReceiptFor(detail.receipt, 'article-42');
    expect(await shop.page.evaluate(() => document.body.dataset.paidAtElement)).toBe('article-42');

    expect(await widget.price.textContent()).toBe('Paid ✓');
    // Said once, on the button: the status tells screen readers without showing it a second time.
    expect(await widget.status.textContent()).toBe('Paid ✓');
    expect(
      await widget.status.evaluate(
        (status) => status.getBoundingClientRect().width * status.getBoundingClientRect().height,
      ),
    ).toBeLessThanOrEqual(1);
    expect(await widget.button.getAttribute('aria-disabled')).toBe('true');
    expect(await widget.converted.isVisible()).toBe(false);
  });

  it('sends the bridge the ids and price from /info, never from the markup', async () => {
    const shop = await openReady('shop');
    await shop.widgetIn('#row-42').button.click();
    await expect.poll(() => shop.bridgeRequests('pay')).toHaveLength(1);
    const [pay] = await shop.bridgeRequests('pay');
    expect(pay!.params).toEqual({
      merchantId: MERCHANT_INFO.merchantId,
      operatorId: MERCHANT_INFO.operatorId,
      itemId: 'article-42',
      price: { currency: 'EUR', value: '0.05' },
    });
  });

  it('hands pay to the content script as the request event, inside the click’s own task', async () => {
    const shop = await openReady('shop');
    await shop.widgetIn('#row-42').button.click();
    await expect.poll(() => eventsOfType(shop, 'opentab:paid')).toHaveLength(1);
    const requests = await shop.bridgeRequests();
    // hello goes by postMessage (the version is not known before its answer), the rest as events.
    expect(requests.filter((request) => request.call === 'hello').map((request) => request.transport)).toEqual([
      'message',
    ]);
    const [pay] = requests.filter((request) => request.call === 'pay');
    expect(pay).toMatchObject({ transport: 'event', inClickTask: true });
    expect(
      requests.filter((request) => request.call !== 'hello').every((request) => request.transport === 'event'),
    ).toBe(true);
  });

  it('posts every request to an extension of bridge protocol 1, and pays there too', async () => {
    const page = await openReady('bridge-v1');
    await page.widgetIn('#row-42').button.click();
    await expect.poll(() => eventsOfType(page, 'opentab:paid')).toHaveLength(1);
    const requests = await page.bridgeRequests();
    expect(requests.map((request) => request.call)).toEqual(expect.arrayContaining(['hello', 'convert', 'pay']));
    expect(requests.every((request) => request.transport === 'message')).toBe(true);
  });

  it('shows a busy state while the customer confirms', async () => {
    const page = await openReady('held-pay');
    const widget = page.widgetIn('#row-42');
    await widget.button.click();
    await expect.poll(() => widget.button.getAttribute('aria-busy')).toBe('true');
    expect(await widget.status.textContent()).toBe('Paying…');
    expect(await widget.button.getAttribute('aria-disabled')).toBe('true');
    // A second click while busy must not pay twice.
    await widget.button.click({ force: true });
    await page.page.evaluate((name) => window.dispatchEvent(new Event(name)), PAY_RELEASE_EVENT);
    await expect.poll(() => widget.price.textContent()).toBe('Paid ✓');
    expect(await widget.button.getAttribute('aria-busy')).toBe('false');
    expect(await page.bridgeRequests('pay')).toHaveLength(1);
  });

  it('shows the error from the bridge and raises opentab:error', async () => {
    const page = await openReady('pay-error');
    const widget = page.widgetIn('#row-42');
    const widthBefore = (await widget.button.boundingBox())!.width;
    await widget.button.click();
    await expect.poll(() => eventsOfType(page, 'opentab:error')).toHaveLength(1);
    // A message wider than the button sits under it and leaves the button as it was.
    expect((await widget.status.boundingBox())!.width).toBeGreaterThan(widthBefore);
    expect((await widget.button.boundingBox())!.width).toBe(widthBefore);
    const [error] = await eventsOfType(page, 'opentab:error');
    expect(error).toEqual({
      type: 'opentab:error',
      target: 'buy-42',
      detail: { itemId: 'article-42', code: 'limit_reached', message: FAKE_BRIDGE_TEXT.payErrorMessage },
    });
    expect(await widget.status.textContent()).toBe(FAKE_BRIDGE_TEXT.payErrorMessage);
    expect(await widget.status.getAttribute('aria-live')).toBe('polite');
    // The customer may try again once the cause is fixed.
    expect(await widget.button.getAttribute('aria-disabled')).toBe('false');
    expect(await eventsOfType(page, 'opentab:paid')).toEqual([]);
  });

  it('shows a payment the customer declined as a plain notice in the page’s colour, not as an error', async () => {
    const errorPage = await openReady('pay-error');
    await errorPage.widgetIn('#row-42').button.click();
    await expect.poll(() => eventsOfType(errorPage, 'opentab:error')).toHaveLength(1);
    const colourOf = (locator: Locator) => locator.evaluate((element) => getComputedStyle(element).color);
    const errorColour = await colourOf(errorPage.widgetIn('#row-42').status);

    const page = await openReady('pay-declined');
    const widget = page.widgetIn('#row-42');
    await widget.button.click();
    await expect.poll(() => eventsOfType(page, 'opentab:error')).toHaveLength(1);
    // The page still hears why, with the code, to act on it as it sees fit.
    expect((await eventsOfType(page, 'opentab:error'))[0]!.detail).toEqual({
      itemId: 'article-42',
      code: 'declined_by_customer',
      message: FAKE_BRIDGE_TEXT.payErrorMessage,
    });
    expect(await widget.status.textContent()).toBe(FAKE_BRIDGE_TEXT.payErrorMessage);
    const pageColour = await page.page.locator('#row-42').evaluate((row) => getComputedStyle(row).color);
    expect(await colourOf(widget.status)).toBe(pageColour);
    expect(await colourOf(widget.status)).not.toBe(errorColour);
    expect(await widget.button.getAttribute('aria-disabled')).toBe('false');
  });

  it('shows a payment the shop has not answered as pending in plain text, and unlocks once the extension has its receipt', async () => {
    const errorPage = await openReady('pay-error');
    await errorPage.widgetIn('#row-42').button.click();
    await expect.poll(() => eventsOfType(errorPage, 'opentab:error')).toHaveLength(1);
    const errorColour = await errorPage
      .widgetIn('#row-42')
      .status.evaluate((element) => getComputedStyle(element).color);

    const page = await openReady('pay-pending');
    const widget = page.widgetIn('#row-42');
    await widget.button.click();
    await expect
      .poll(() => eventsOfType(page, 'opentab:pending'))
      .toEqual([{ type: 'opentab:pending', target: 'buy-42', detail: { itemId: 'article-42' } }]);
    expect(await widget.status.textContent()).toBe("Payment pending — we'll finish it when the shop answers.");
    expect(await widget.status.evaluate((element) => getComputedStyle(element).color)).not.toBe(errorColour);
    expect(await eventsOfType(page, 'opentab:error')).toEqual([]);

    // Asked after in the background: the second question brings the receipt, with no click.
    await expect.poll(() => eventsOfType(page, 'opentab:paid'), { timeout: 20_000 }).toHaveLength(1);
    const [paid] = await eventsOfType(page, 'opentab:paid');
    expectReceiptFor((paid!.detail as { receipt: Receipt }).receipt, 'article-42');
    expect(await widget.price.textContent()).toBe('Paid ✓');
    expect(await page.bridgeRequests('pay')).toHaveLength(1);
    expect(await page.bridgeRequests('paymentStatus')).toHaveLength(2);
  });

  it('pays with the keyboard: Tab to the button, then Enter', async () => {
    const shop = await openReady('shop');
    await shop.page.keyboard.press('Tab');
    const focused = await shop
      .widgetIn('#row-42')
      .button.evaluate((button) => (button.getRootNode() as ShadowRoot).activeElement === button);
    expect(focused).toBe(true);
    await shop.page.keyboard.press('Enter');
    await expect.poll(() => eventsOfType(shop, 'opentab:paid')).toHaveLength(1);
    expect((await eventsOfType(shop, 'opentab:paid'))[0]!.target).toBe('buy-42');
  });

  it('shows a visible focus ring on the keyboard-focused button', async () => {
    const shop = await openReady('shop');
    await shop.page.keyboard.press('Tab');
    const outline = await shop.widgetIn('#row-42').button.evaluate((button) => getComputedStyle(button).outlineStyle);
    expect(outline).toBe('solid');
  });

  it('renders and pays under a Trusted Types policy that allows no DOM sinks', async () => {
    const page = await openReady('trusted-types');
    await page.widgetIn('#row-42').button.click();
    await expect.poll(() => eventsOfType(page, 'opentab:paid')).toHaveLength(1);
  });
});

describe('window.Opentab', () => {
  it('ready resolves with the merchant info, also exposed as Opentab.info', async () => {
    const shop = await openReady('shop');
    const { ready, info } = await shop.page.evaluate(async () => ({
      ready: await window.Opentab!.ready,
      info: window.Opentab!.info,
    }));
    expect(ready).toEqual(MERCHANT_INFO);
    expect(info).toEqual(MERCHANT_INFO);
  });

  it('pay(itemId) resolves with the receipt, updates the buttons and raises opentab:paid on document', async () => {
    const shop = await openReady('shop');
    const outcome = await shop.page.evaluate(() => window.Opentab!.pay('podcast-7'));
    if (outcome.kind !== 'paid') throw new Error(`expected paid, got ${outcome.kind}`);
    const { receipt } = outcome;
    expectReceiptFor(receipt, 'podcast-7');
    const paid = await eventsOfType(shop, 'opentab:paid');
    expect(paid).toEqual([{ type: 'opentab:paid', target: 'document', detail: { itemId: 'podcast-7', receipt } }]);
    await expect.poll(() => shop.widgetIn('#row-7').price.textContent()).toBe('Paid ✓');
  });

  it('pay(itemId) for an entitlement bought before charges nothing: owned, with the token held, and opentab:owned', async () => {
    const shop = await openReady('shop');
    await shop.widgetIn('#row-42').button.click();
    await expect.poll(() => eventsOfType(shop, 'opentab:paid')).toHaveLength(1);
    const [paid] = await eventsOfType(shop, 'opentab:paid');
    const { accessToken } = (paid!.detail as { receipt: Receipt }).receipt.payload;

    const again = await shop.page.evaluate(() => window.Opentab!.pay('article-42'));
    expect(again).toEqual({
      kind: 'owned',
      itemId: 'article-42',
      accessToken,
      entitledUntil: '2030-01-01T00:00:00.000Z',
    });
    expect(await eventsOfType(shop, 'opentab:owned')).toEqual([
      {
        type: 'opentab:owned',
        target: 'document',
        detail: { itemId: 'article-42', accessToken, entitledUntil: '2030-01-01T00:00:00.000Z' },
      },
    ]);
    expect(await eventsOfType(shop, 'opentab:paid')).toHaveLength(1);
    await expect.poll(() => shop.widgetIn('#row-42').price.textContent()).toBe('Bought ✓');
  });

  it('pay(itemId) for a consumable pays every time', async () => {
    const shop = await openReady('shop');
    const outcomes = await shop.page.evaluate(async () => [
      await window.Opentab!.pay('podcast-7'),
      await window.Opentab!.pay('podcast-7'),
    ]);
    expect(outcomes.map((outcome) => (outcome.kind === 'paid' ? outcome.receipt.payload.seq : outcome.kind))).toEqual([
      1, 2,
    ]);
    expect(await eventsOfType(shop, 'opentab:paid')).toHaveLength(2);
    expect(await eventsOfType(shop, 'opentab:owned')).toEqual([]);
  });

  it('pay(itemId) can be called before the widget is ready', async () => {
    const page = await fixture.open('shop');
    opened.push(page);
    // evaluate runs as soon as the page has loaded; the widget may still be fetching /info.
    const outcome = await page.page.evaluate(() => window.Opentab!.pay('article-43'));
    expect(outcome.kind).toBe('paid');
    if (outcome.kind === 'paid') expectReceiptFor(outcome.receipt, 'article-43');
  });

  it('pay(itemId) rejects with unknown_item for an item the catalogue does not sell', async () => {
    const shop = await openReady('shop');
    const failure = await shop.page.evaluate(() =>
      window.Opentab!.pay('no-such-item').then(
        () => null,
        (error: Error & { code: string }) => ({ name: error.name, code: error.code }),
      ),
    );
    expect(failure).toEqual({ name: 'OpentabError', code: 'unknown_item' });
    expect(await shop.bridgeRequests('pay')).toEqual([]);
  });

  it('pay(itemId) rejects with the bridge error code', async () => {
    const page = await openReady('pay-error');
    const code = await page.page.evaluate(() =>
      window.Opentab!.pay('article-42').then(
        () => 'paid',
        (error: { code: string }) => error.code,
      ),
    );
    expect(code).toBe('limit_reached');
  });
});

describe('tab events', () => {
  it('raises opentab:tab-opened with the first receipt and opentab:tab-closed after closeTab', async () => {
    const shop = await openReady('shop');
    await shop.widgetIn('#row-42').button.click();
    await expect.poll(() => eventsOfType(shop, 'opentab:paid')).toHaveLength(1);
    await shop.widgetIn('#row-7').button.click();
    await expect.poll(() => eventsOfType(shop, 'opentab:paid')).toHaveLength(2);

    const [first] = await eventsOfType(shop, 'opentab:paid');
    const tabId = (first!.detail as { receipt: Receipt }).receipt.payload.tabId;
    // One tab for both purchases, opened by the first.
    expect(await eventsOfType(shop, 'opentab:tab-opened')).toEqual([
      { type: 'opentab:tab-opened', target: 'buy-42', detail: { tabId } },
    ]);

    const status = await shop.page.evaluate(() => window.Opentab!.tabStatus());
    expect(status).toMatchObject({ open: true, spent: { currency: 'EUR', value: '0.30' } });
    expect(await shop.page.evaluate(() => window.Opentab!.closeTab())).toBe(true);
    expect(await eventsOfType(shop, 'opentab:tab-closed')).toEqual([
      { type: 'opentab:tab-closed', target: 'document', detail: { tabId } },
    ]);
  });
});
