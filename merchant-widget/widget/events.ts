// The DOM events a merchant page listens for. Each is raised once: on the element the customer
// used (it bubbles to `document`), or on `document` itself when no element in the page is involved.

import type { Entitlement } from '@opentab/protocol';
import type { Receipt } from '@opentab/protocol';
import type { WidgetErrorCode } from './errors';

export interface PaidDetail {
  itemId: string;
  receipt: Receipt;
}

/** Bought before and still open: send `accessToken` to your server as for a receipt's; nothing was charged. */
export type OwnedDetail = Entitlement;

/** A product delivered encrypted was checked, accepted (and so paid) and saved as `fileName` by the extension. */
export interface DeliveredDetail extends PaidDetail {
  fileName: string;
}

export interface ErrorDetail {
  itemId: string;
  code: WidgetErrorCode;
  message: string;
}

/** The shop has not answered the payment yet; opentab:paid (or opentab:error) follows once it has. */
export interface PendingDetail {
  itemId: string;
}

export interface TabDetail {
  /** null when the tab was opened before this page loaded and no receipt has named it yet. */
  tabId: string | null;
}

export interface OpentabEventMap {
  'opentab:paid': PaidDetail;
  'opentab:owned': OwnedDetail;
  'opentab:delivered': DeliveredDetail;
  'opentab:error': ErrorDetail;
  'opentab:pending': PendingDetail;
  'opentab:tab-opened': TabDetail;
  'opentab:tab-closed': TabDetail;
}

export type OpentabEventName = keyof OpentabEventMap;

export function emitOpentabEvent<K extends OpentabEventName>(
  target: Element | null,
  type: K,
  detail: OpentabEventMap[K],
): void {
  // composed: pages that render their buttons inside their own shadow roots still hear it at document.
  const event = new CustomEvent(type, { detail, bubbles: true, composed: true });
  // A detached element's events would reach nobody, so fall back to document.
  (target?.isConnected ? target : document).dispatchEvent(event);
}
