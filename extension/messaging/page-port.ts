// Content script → background over one long-lived runtime port per page, instead of one
// runtime.sendMessage per call: a sendMessage opens a fresh message channel each time (the
// browser looks up the receiver and the sender's tab and frame again), which cost ~1.5 ms of a
// click against ~0.6 ms for a message on a port already open (docs/performance.md).
//
// The port carries exactly the page calls of page-calls.ts, each with a number to match its
// answer. The background reads the sender from the port (the browser fills it in when the port
// is opened), never from a message. The port does not keep the background alive: Chrome stops
// its worker, and Firefox suspends its event page, when idle whether or not ports are open, and
// the port is then disconnected; the content script opens a new one with its next call.

import type { PageCallMessage, PageCallResult } from './page-calls';

export const PAGE_PORT_NAME = 'opentab:page-port';

/** While a call is unanswered, the content script says so this often, so the background is not stopped as
 * idle meanwhile. */
export const PAGE_PORT_KEEPALIVE_MS = 20_000;
/** ... but not for a call older than this: the longest a page waits for one, 30 minutes for deliver (reading
 * the description, then downloading and decrypting a large product). */
export const PAGE_PORT_KEEPALIVE_MAX_MS = 30 * 60_000;

export type PagePortRequest =
  | { readonly kind: 'call'; readonly id: number; readonly message: PageCallMessage }
  /** Sent while calls are unanswered (a purchase waiting for the customer to confirm). */
  | { readonly kind: 'keepalive' };

export interface PagePortAnswer {
  readonly id: number;
  readonly result: PageCallResult;
}

export function isPagePortRequest(value: unknown): value is PagePortRequest {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  if (candidate.kind === 'keepalive') return true;
  return (
    candidate.kind === 'call' &&
    Number.isSafeInteger(candidate.id) &&
    typeof candidate.message === 'object' &&
    candidate.message !== null
  );
}

export function isPagePortAnswer(value: unknown): value is PagePortAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return Number.isSafeInteger(candidate.id) && 'result' in candidate;
}
