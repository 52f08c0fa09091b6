// Content script (built as a classic IIFE: content scripts cannot be ES modules). It relays the
// page's bridge calls, and writes nothing into the page: a page learns that the extension is here
// only by asking (protocol/core/messages/bridge.ts, Presence).

import browser from 'webextension-polyfill';
import { PAGE_ASKS_ATTRIBUTE, PAGE_REQUEST_EVENT } from '@opentab/protocol';
import { createBackgroundLink } from './background-link';
import { announcePresence, relayPageEvent, relayPageMessage } from './page-relay';

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

// Started after the page's own script asked (the extension was installed or enabled while the
// page was open): tell it, so that it asks again. At document_start no page has asked yet.
if (document.documentElement?.getAttribute(PAGE_ASKS_ATTRIBUTE) === '1') announcePresence(window, 'arrived');
