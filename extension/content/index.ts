// Content script (built as a classic IIFE: content scripts cannot be ES modules). It marks the
// page so the widget knows the extension is here, and relays the page's bridge calls.

import browser from 'webextension-polyfill';
import { relayPageMessage } from './page-relay';

const BRIDGE_ATTRIBUTE = 'data-opentab-bridge';

function markPresence(root: Element): void {
  root.setAttribute(BRIDGE_ATTRIBUTE, '1');
}

// At document_start Firefox may run us before <html> exists, so wait for it when needed.
if (document.documentElement) {
  markPresence(document.documentElement);
} else {
  const observer = new MutationObserver(() => {
    if (!document.documentElement) return;
    observer.disconnect();
    markPresence(document.documentElement);
  });
  observer.observe(document, { childList: true });
}

window.addEventListener('message', (event) => {
  void relayPageMessage(event, window, (message) => browser.runtime.sendMessage(message));
});
