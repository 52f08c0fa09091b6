// Content script (built as a classic IIFE: content scripts cannot be ES modules). It marks the
// page so the widget knows the extension is here, and relays the page's bridge calls.

import browser from 'webextension-polyfill';
import { PAGE_REQUEST_EVENT } from '../../protocol/messages/bridge-transport';
import { createBackgroundLink } from './background-link';
import { relayPageEvent, relayPageMessage } from './page-relay';

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

// One port to the background for all of this page's calls, opened with the first.
const sendToBackground = createBackgroundLink((name) => browser.runtime.connect({ name }));

window.addEventListener('message', (event) => {
  void relayPageMessage(event, window, sendToBackground);
});
// Heard synchronously inside the page's own task (the click), so the request leaves for the
// background at once; a posted message would wait for the next frame in Chromium.
window.addEventListener(PAGE_REQUEST_EVENT, (event) => {
  void relayPageEvent((event as CustomEvent<unknown>).detail, window, sendToBackground);
});
