// Page (widget) ↔ extension: the only calls a web page can make. One typed map from call name to
// params and result; the content script relays nothing else. The page never learns keys or
// account data, only what each result below names. The page's origin is never taken from these
// messages: the background reads it from the browser's sender information.
//
// Transport. Requests travel one of two ways, and each is answered the way it came:
//
// - `window.postMessage` of a PageRequest to the page's own origin (every version; `hello` always
//   goes this way, since the widget does not yet know which version it is talking to), answered
//   by a posted ExtensionResponse on the EXTENSION_TO_PAGE channel;
// - since version 2, a `CustomEvent` named PAGE_REQUEST_EVENT dispatched on `window`, whose
//   `detail` is the PageRequest as a JSON string, answered by a CustomEvent named
//   EXTENSION_RESPONSE_EVENT on `window` whose `detail` is the ExtensionResponse as a JSON
//   string. The widget uses it once `hello` answered a protocolVersion ≥ PAGE_REQUEST_EVENT_SINCE.
//
// Why the event: Chromium holds a task posted during a discrete input event (a click), posted
// messages among them, until the next frame has been drawn (DeferRendererTasksAfterInput), so a
// pay request posted from the click handler reached the content script 0–17 ms later (7.6 ms
// median). A dispatched event is delivered synchronously, inside the click's own task, to the
// content script's listener, which sends the request on to the background at once
// (docs/performance.md, click-to-paid). The answer comes back the same way, so that it does not
// wait in the page's task queue behind whatever else is there (a posted answer is not held back
// by the deferral, but it is one more task). The detail is a string because both engines hand a
// primitive detail from the page's world to a content script as it is (Chrome's isolated world,
// Firefox's Xray view), while an object detail is not reliably readable there.
//
// Presence. The extension tells no page that it is there unless the page asks: its content script
// runs on every page but writes nothing into any, defines nothing, and posts nothing unasked. A
// page asks by saying `hello`; the content script then posts an ExtensionPresence notice
// ('hello-received') at once, before relaying the hello to the background, whose answer may wait
// for a suspended service worker or event page to start. So a page tells "no extension" (no notice
// within a moment) from "an extension still starting" (a notice, then the answer). A page that
// asks also sets PAGE_ASKS_ATTRIBUTE on its <html> first: a content script that starts after the
// page's own script (the extension installed or enabled while the page is open) finds it there and
// posts an ExtensionPresence notice ('arrived'), and the page says hello again. Content scripts of
// versions 1 to 3 instead marked <html> of every page with LEGACY_PRESENCE_ATTRIBUTE.
//
// Trust is the same as for a posted message that this window sent itself, the only kind the
// content script relays and the only kind the widget takes as an answer. An event on this window
// can only be dispatched by script that holds this window object: the page's own scripts, a
// same-origin frame (which has the page's authority anyway), or another extension's content
// script (which could post the message as well). A frame of another origin cannot call
// dispatchEvent on it. Either way the content script validates the
// request against PageRequest and relays only known calls on our channel, and the background
// takes the page's origin from the browser's sender information, never from the request.

import * as v from 'valibot';
import { EXTENSION_TO_PAGE, type BridgeCallName } from './bridge-transport';
import { DeliveryFileName } from './delivery';
import { Receipt } from './merchant';
import { RateTableSource } from './rate-table';
import { AccessToken, Amount, CurrencyCode, ItemId, MerchantId, OperatorId, Timestamp } from './primitives';

/**
 * 2: requests may also come as PAGE_REQUEST_EVENT (and are answered as EXTENSION_RESPONSE_EVENT).
 * 3: pay answers `{ kind: 'paid', receipt }` or, for an entitlement the wallet already holds,
 * `{ kind: 'owned', ... }` without charging; the `entitlements` call.
 * 4: no page is marked; a page that asks gets ExtensionPresence notices (see Presence above).
 * 5: the `deliver` call (secure delivery of digital goods).
 */
export const BRIDGE_PROTOCOL_VERSION = 5;
export {
  EXTENSION_RESPONSE_EVENT,
  EXTENSION_TO_PAGE,
  ExtensionPresence,
  LEGACY_PRESENCE_ATTRIBUTE,
  PAGE_ASKS_ATTRIBUTE,
  PAGE_REQUEST_EVENT,
  PAGE_REQUEST_EVENT_MAX_CHARS,
  PAGE_REQUEST_EVENT_SINCE,
  PAGE_TO_EXTENSION,
  PageRequest,
  PRESENCE_NOTICE_SINCE,
} from './bridge-transport';

const MerchantRef = { merchantId: MerchantId, operatorId: OperatorId };

/** The most item ids one entitlements call may ask about. */
export const MAX_ITEMS_PER_ENTITLEMENTS_CALL = 500;

/**
 * An entitlement the wallet holds: the access token of an earlier purchase of the item and until
 * when it opens it. Not the receipt: that names the tab it was paid from, which a page asking on
 * a later visit has no need to learn (the token names no tab).
 */
export const Entitlement = v.strictObject({ itemId: ItemId, accessToken: AccessToken, entitledUntil: Timestamp });
export type Entitlement = v.InferOutput<typeof Entitlement>;

export const RateStatus = v.picklist(['current', 'expired', 'missing']);
export type RateStatus = v.InferOutput<typeof RateStatus>;

export const BRIDGE_CALLS = {
  /** Is the extension there, which version, is the wallet ready? */
  hello: {
    params: v.strictObject({}),
    result: v.strictObject({
      protocolVersion: v.number(),
      walletState: v.picklist(['uninitialised', 'locked', 'unenrolled', 'ready']),
    }),
  },
  /** Merchant prices converted into the customer's currency with the cached, signed rate table. */
  convert: {
    params: v.strictObject({ prices: v.pipe(v.array(Amount), v.maxLength(500)) }),
    result: v.strictObject({
      currency: v.nullable(CurrencyCode),
      rateStatus: RateStatus,
      /** null where no current table can convert the price; never a conversion from an expired table. */
      converted: v.array(v.nullable(Amount)),
      validUntil: v.nullable(Timestamp),
      /**
       * Whose rates of which day converted the prices, for the page to show beside them; null when
       * none converted, or the table does not say. Extensions before it was sent leave it out.
       */
      rateSource: v.optional(v.nullable(RateTableSource)),
    }),
  },
  /**
   * Pay for one item; opens a tab first when none is open here (asking the customer if no rule
   * allows it). An entitlement the wallet already holds for this page is answered `owned` with
   * its token, and nothing is charged. A purchase sent without a definite answer from the merchant
   * fails with `payment_pending`: it is neither paid nor refused yet, and the extension re-sends it
   * (the same purchase, never a second one) until the merchant answers. Paying for an item whose
   * purchase is pending continues that purchase; once it is paid, the next pay or paymentStatus
   * for the item gets its receipt, without paying again.
   */
  pay: {
    params: v.strictObject({ ...MerchantRef, itemId: ItemId, price: Amount }),
    result: v.variant('kind', [
      v.strictObject({ kind: v.literal('paid'), receipt: Receipt }),
      v.strictObject({ kind: v.literal('owned'), ...Entitlement.entries }),
    ]),
  },
  /**
   * Which of these items the wallet holds an unexpired entitlement for at this merchant, asked
   * when a page loads so it can open what was bought before without a click. Answered only on an
   * origin the merchant certificate lists; never about another merchant.
   */
  entitlements: {
    params: v.strictObject({
      ...MerchantRef,
      itemIds: v.pipe(v.array(ItemId), v.maxLength(MAX_ITEMS_PER_ENTITLEMENTS_CALL)),
    }),
    result: v.strictObject({ entitlements: v.array(Entitlement) }),
  },
  /**
   * What became of the item's payment that `pay` answered `payment_pending`: `pending` still (asking
   * re-sends it), `paid` with its receipt (handed over once), or `none` (the merchant refused it:
   * nothing was paid). Never starts a purchase. A page asks only after a `payment_pending`, which
   * only an extension that knows this call answers.
   */
  paymentStatus: {
    params: v.strictObject({ ...MerchantRef, itemId: ItemId }),
    result: v.variant('status', [
      v.strictObject({ status: v.literal('pending') }),
      v.strictObject({ status: v.literal('paid'), receipt: Receipt }),
      v.strictObject({ status: v.literal('none') }),
    ]),
  },
  tabStatus: {
    params: v.strictObject(MerchantRef),
    result: v.strictObject({
      open: v.boolean(),
      deposit: v.nullable(Amount),
      spent: v.nullable(Amount),
      remaining: v.nullable(Amount),
      expiresAt: v.nullable(Timestamp),
    }),
  },
  closeTab: {
    params: v.strictObject(MerchantRef),
    result: v.strictObject({ closed: v.boolean() }),
  },
  /**
   * Buy one product the merchant delivers encrypted (seed FIG 4): the extension shows the
   * merchant-signed description, orders it on this merchant's tab (opening one as `pay` does),
   * checks the package, accepts it (which alone pays) and saves the decrypted file. `delivered`
   * with the receipt of the accept's purchase; `aborted` when the merchant's re-sends ran out
   * (nothing was charged). `price` is the catalogue's, as for pay: it sizes a new tab's deposit,
   * and the signed description must name the same.
   */
  deliver: {
    params: v.strictObject({ ...MerchantRef, itemId: ItemId, price: Amount }),
    result: v.variant('kind', [
      v.strictObject({ kind: v.literal('delivered'), receipt: Receipt, fileName: DeliveryFileName }),
      v.strictObject({ kind: v.literal('aborted'), itemId: ItemId }),
    ]),
  },
} as const satisfies Record<BridgeCallName, { params: v.GenericSchema; result: v.GenericSchema }>;

export type BridgeCall = keyof typeof BRIDGE_CALLS;
export type BridgeParams<C extends BridgeCall> = v.InferOutput<(typeof BRIDGE_CALLS)[C]['params']>;
export type BridgeResult<C extends BridgeCall> = v.InferOutput<(typeof BRIDGE_CALLS)[C]['result']>;

export const BridgeErrorCode = v.picklist([
  'not_installed',
  'wallet_locked',
  'wallet_not_enrolled',
  'origin_not_allowed',
  'declined_by_customer',
  'limit_reached',
  'blocked_merchant',
  'rate_table_expired',
  'operator_unreachable',
  'merchant_unreachable',
  'merchant_refused',
  /** Sent, but the merchant's answer has not come: neither paid nor refused yet (see pay). */
  'payment_pending',
  'invalid_request',
  'busy',
  'internal',
]);
export type BridgeErrorCode = v.InferOutput<typeof BridgeErrorCode>;

export const BridgeError = v.strictObject({ code: BridgeErrorCode, message: v.pipe(v.string(), v.maxLength(500)) });
export type BridgeError = v.InferOutput<typeof BridgeError>;

const RequestId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/));

export type ExtensionResponse<C extends BridgeCall = BridgeCall> =
  | { channel: typeof EXTENSION_TO_PAGE; requestId: string; ok: true; result: BridgeResult<C> }
  | { channel: typeof EXTENSION_TO_PAGE; requestId: string; ok: false; error: BridgeError };

export const ExtensionResponse = v.variant('ok', [
  v.strictObject({
    channel: v.literal(EXTENSION_TO_PAGE),
    requestId: RequestId,
    ok: v.literal(true),
    result: v.unknown(),
  }),
  v.strictObject({
    channel: v.literal(EXTENSION_TO_PAGE),
    requestId: RequestId,
    ok: v.literal(false),
    error: BridgeError,
  }),
]);
