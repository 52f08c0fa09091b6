// The page's half of the extension bridge: each call is one request to the content script, and
// its answer is what the content script hands back with the same request id. Only messages
// posted by this window from this origin are considered, since any frame can post to us; the
// rest of the 'message' traffic belongs to other scripts and is left alone.
//
// A request is a window.postMessage to the page's own origin until `hello` has answered a
// protocol version that listens for the request event; from then on it is a CustomEvent on
// window with the request as a JSON string, which reaches the content script inside the caller's
// own task, and is answered by a response event the same way. That matters for pay: Chromium
// holds a message posted during a click until the next frame is drawn
// (protocol/core/messages/bridge.ts). hello itself is always posted.
//
// Besides answers, the content script posts presence notices to a page that asked (bridge.ts,
// Presence); they settle no call, and go to the onPresence listeners.

import type {
  BridgeCall,
  BridgeError,
  BridgeParams,
  BridgeResult,
  EXTENSION_RESPONSE_EVENT,
  EXTENSION_TO_PAGE,
  ExtensionPresence,
  PAGE_REQUEST_EVENT,
  PAGE_REQUEST_EVENT_SINCE,
  PAGE_TO_EXTENSION,
} from '@opentab/protocol';
import { OpentabError } from './errors';
import { LOCAL_ERROR_TEXT } from './texts';
import { isBridgeResult, isRecord, readBridgeError } from './wire-checks';

// Copies of the protocol constants (importing them would bundle valibot); the types keep them equal.
export const PAGE_CHANNEL: typeof PAGE_TO_EXTENSION = 'opentab:page';
export const EXTENSION_CHANNEL: typeof EXTENSION_TO_PAGE = 'opentab:extension';
const REQUEST_EVENT: typeof PAGE_REQUEST_EVENT = 'opentab:page-request';
const RESPONSE_EVENT: typeof EXTENSION_RESPONSE_EVENT = 'opentab:extension-response';
const REQUEST_EVENT_SINCE: typeof PAGE_REQUEST_EVENT_SINCE = 2;

export type CallTimeouts = Record<BridgeCall, number>;

export const CALL_TIMEOUT_MS: CallTimeouts = {
  // A sleeping extension service worker needs a moment to start before it can answer.
  hello: 3_000,
  convert: 5_000,
  tabStatus: 5_000,
  entitlements: 5_000,
  closeTab: 10_000,
  // The customer may be reading and confirming in the extension's window before it answers.
  pay: 120_000,
  // The extension re-sends the pending purchase to the merchant before it answers.
  paymentStatus: 15_000,
  // Reading the description, then downloading, checking and decrypting a product of many megabytes.
  deliver: 30 * 60_000,
};

/** What the bridge needs of `window`; a narrow seam so it can be tested without a browser. */
export interface BridgeWindow {
  readonly location: { readonly origin: string };
  postMessage(message: unknown, targetOrigin: string): void;
  dispatchEvent(event: Event): boolean;
  addEventListener(type: 'message', listener: (event: BridgeMessageEvent) => void): void;
  addEventListener(type: typeof RESPONSE_EVENT, listener: (event: Event) => void): void;
}

export interface BridgeMessageEvent {
  readonly data: unknown;
  readonly origin: string;
  readonly source: unknown;
}

export type Presence = ExtensionPresence['presence'];

export interface BridgeClient {
  call<C extends BridgeCall>(call: C, params: BridgeParams<C>): Promise<BridgeResult<C>>;
  /** Every presence notice the content script posts to this page, from now on. */
  onPresence(listener: (presence: Presence) => void): void;
}

type Answer = { ok: true; result: unknown } | { ok: false; error: BridgeError } | { ok: null };

const REQUEST_ID_BYTES = 16;

function newRequestId(): string {
  // getRandomValues, unlike randomUUID, also works on plain-http pages.
  const bytes = crypto.getRandomValues(new Uint8Array(REQUEST_ID_BYTES));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function readAnswer(message: Record<string, unknown>): Answer {
  if (message.ok === true && 'result' in message) return { ok: true, result: message.result };
  const error = message.ok === false ? readBridgeError(message.error) : null;
  return error ? { ok: false, error } : { ok: null };
}

export function createBridgeClient(target: BridgeWindow, timeouts_ms: CallTimeouts = CALL_TIMEOUT_MS): BridgeClient {
  const waiting = new Map<string, (answer: Answer) => void>();
  const presenceListeners: Array<(presence: Presence) => void> = [];
  /** Set by each hello answer: does the content script listen for REQUEST_EVENT? */
  let requestsAsEvents = false;

  function receive(message: unknown): void {
    if (!isRecord(message) || message.channel !== EXTENSION_CHANNEL) return;
    if (message.presence === 'hello-received' || message.presence === 'arrived') {
      const presence = message.presence;
      for (const listener of presenceListeners) listener(presence);
      return;
    }
    if (typeof message.requestId !== 'string') return;
    const settle = waiting.get(message.requestId);
    if (!settle) return;
    waiting.delete(message.requestId);
    settle(readAnswer(message));
  }

  target.addEventListener('message', (event) => {
    if (event.source === target && event.origin === target.location.origin) receive(event.data);
  });
  // Raised on this window, so by script in this page (the content script among it): no origin to check.
  target.addEventListener(RESPONSE_EVENT, (event) => {
    const { detail } = event as CustomEvent<unknown>;
    if (typeof detail !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(detail);
    } catch {
      return;
    }
    receive(message);
  });

  function call<C extends BridgeCall>(call: C, params: BridgeParams<C>): Promise<BridgeResult<C>> {
    return new Promise((resolve, reject) => {
      const requestId = newRequestId();
      const timer = setTimeout(() => {
        // A late answer is dropped: the caller has already told the customer it failed.
        waiting.delete(requestId);
        reject(new OpentabError('timeout', LOCAL_ERROR_TEXT.timeout));
      }, timeouts_ms[call]);
      waiting.set(requestId, (answer) => {
        clearTimeout(timer);
        if (answer.ok === false) reject(new OpentabError(answer.error.code, answer.error.message));
        else if (answer.ok && isBridgeResult(call, answer.result)) {
          if (call === 'hello')
            requestsAsEvents = (answer.result as BridgeResult<'hello'>).protocolVersion >= REQUEST_EVENT_SINCE;
          resolve(answer.result);
        } else reject(new OpentabError('invalid_response', LOCAL_ERROR_TEXT.invalid_response));
      });
      const request = { channel: PAGE_CHANNEL, requestId, call, params };
      if (requestsAsEvents && call !== 'hello') {
        target.dispatchEvent(new CustomEvent(REQUEST_EVENT, { detail: JSON.stringify(request) }));
      } else {
        target.postMessage(request, target.location.origin);
      }
    });
  }

  return { call, onPresence: (listener) => void presenceListeners.push(listener) };
}
