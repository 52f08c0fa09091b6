// How a bridge call travels between the page and the content script (bridge.ts says why each
// way): the channel and event names, and the request frame the content script checks before it
// relays a call by name. Apart from bridge.ts, so that the content script, injected into every
// page, bundles none of the call schemas, nor the curve arithmetic of the key checks a receipt's
// brings (public-key-check.ts).

import * as v from 'valibot';

/** Marks our messages among everything else that flows through window.postMessage. */
export const PAGE_TO_EXTENSION = 'opentab:page';
export const EXTENSION_TO_PAGE = 'opentab:extension';
/** A CustomEvent on `window` carrying a PageRequest as a JSON string in `detail` (see bridge.ts). */
export const PAGE_REQUEST_EVENT = 'opentab:page-request';
/** A CustomEvent on `window` carrying an ExtensionResponse as a JSON string in `detail`: the answer to a PAGE_REQUEST_EVENT. */
export const EXTENSION_RESPONSE_EVENT = 'opentab:extension-response';
/** The first protocol version whose content script listens for PAGE_REQUEST_EVENT. */
export const PAGE_REQUEST_EVENT_SINCE = 2;
/** A longer event detail is ignored unread (the largest call, convert with 500 prices, is ~20 KB). */
export const PAGE_REQUEST_EVENT_MAX_CHARS = 65_536;
/** The first protocol version whose content script posts ExtensionPresence notices and marks no page. */
export const PRESENCE_NOTICE_SINCE = 4;
/** Set (to "1") on <html> by a page that asks for the wallet, before its first hello. */
export const PAGE_ASKS_ATTRIBUTE = 'data-opentab-asks';
/** Set on <html> of every page by content scripts of versions 1 to 3; none since. */
export const LEGACY_PRESENCE_ATTRIBUTE = 'data-opentab-bridge';

/**
 * Posted by the content script, to the page's own origin, only to a page that asked: at once on
 * each hello ('hello-received'), and when it starts on a page that carries PAGE_ASKS_ATTRIBUTE
 * ('arrived': the page asked before it was there, so it should say hello again).
 */
export const ExtensionPresence = v.strictObject({
  channel: v.literal(EXTENSION_TO_PAGE),
  presence: v.picklist(['hello-received', 'arrived']),
});
export type ExtensionPresence = v.InferOutput<typeof ExtensionPresence>;

/** The calls of bridge.ts's BRIDGE_CALLS, which must name exactly these. */
export const BRIDGE_CALL_NAMES = [
  'hello',
  'convert',
  'pay',
  'entitlements',
  'paymentStatus',
  'tabStatus',
  'closeTab',
  'deliver',
] as const;
export type BridgeCallName = (typeof BRIDGE_CALL_NAMES)[number];

const RequestId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/));

export const PageRequest = v.strictObject({
  channel: v.literal(PAGE_TO_EXTENSION),
  requestId: RequestId,
  call: v.picklist(BRIDGE_CALL_NAMES),
  params: v.unknown(),
});
export type PageRequest = v.InferOutput<typeof PageRequest>;
