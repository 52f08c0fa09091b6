// Every refusal anywhere in Opentab carries one of these stable codes and a human sentence.
// The HTTP status lives beside the code so servers and clients can never disagree about it.

export const ERROR_CATALOGUE = {
  // The request itself
  malformed_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_message: { status: 400, message: 'The message does not match its schema.' },
  amount_invalid: { status: 400, message: 'An amount is not a valid decimal for its currency.' },
  weak_key: {
    status: 400,
    message:
      'A public key is not a sound Ed25519 key (of small order, with a small-order component, or not canonically encoded); generate a fresh key.',
  },
  body_too_large: { status: 413, message: 'The request body is larger than this endpoint accepts.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  not_found: { status: 404, message: 'There is no such endpoint.' },
  conflict: { status: 409, message: 'The request conflicts with what was done before; its message says how.' },
  method_not_allowed: { status: 405, message: 'This endpoint does not accept that method.' },
  rate_limited: {
    status: 429,
    message:
      'Too many requests from this address; wait as long as the Retry-After header says, then try again. Nothing was done.',
  },
  malformed_request: { status: 400, message: 'The request is not well-formed HTTP (its method, target or a header).' },
  headers_too_large: { status: 431, message: 'The request headers are larger than this server accepts.' },
  request_timeout: { status: 408, message: 'The request did not arrive in time.' },
  // Authentication and freshness
  unauthorized: { status: 401, message: 'The request needs valid credentials.' },
  bad_signature: { status: 401, message: 'The signature does not verify against the expected key.' },
  unknown_key: { status: 401, message: 'The message is signed by a key this receiver does not know.' },
  stale_message: { status: 401, message: "The message's issue time is outside the allowed clock-skew window." },
  id_reused: { status: 409, message: 'This message id was already used for a different message.' },
  unknown_peer: { status: 403, message: 'The sending operator is not known here.' },
  uncertified_peer: { status: 403, message: "The sending operator's certificate does not verify against the CA." },
  session_invalid: { status: 401, message: 'The session is unknown, expired or belongs to another account.' },
  enrollment_code_invalid: { status: 403, message: 'The enrolment code is unknown, used or expired.' },
  account_suspended: {
    status: 403,
    message: 'The account is suspended: it opens no new tabs until the operator resumes it.',
  },
  account_closed: { status: 403, message: 'The account is closed.' },
  merchant_suspended: { status: 403, message: 'The merchant is suspended at its operator: it opens no new tabs.' },
  merchant_revoked: {
    status: 403,
    message: "The merchant's certificate is revoked at its operator, for good: it opens no new tabs.",
  },
  peer_revoked: {
    status: 403,
    message: 'This operator revoked the other operator: no new tabs between them; tabs already open still clear.',
  },
  key_retired: {
    status: 403,
    message: 'The message is signed with an operator key that its operator retired; sign with its current key.',
  },
  login_failed: { status: 401, message: 'The name or the password is wrong.' },
  staff_session_expired: { status: 401, message: 'The console session has expired or was ended; log in again.' },
  staff_login_locked: {
    status: 429,
    message: 'Too many failed log-ins: the login is locked for a while, or until an owner unlocks it.',
  },
  staff_login_disabled: { status: 403, message: 'An owner disabled this staff login.' },
  current_password_wrong: { status: 403, message: 'The current password is wrong; the password was not changed.' },
  unknown_staff: { status: 404, message: 'There is no staff login of that name.' },
  // Accounts, merchants, money
  unknown_account: { status: 404, message: 'There is no such account.' },
  unknown_merchant: { status: 404, message: 'There is no such merchant at that operator.' },
  currency_mismatch: { status: 422, message: 'The amount is in the wrong currency for this account or merchant.' },
  unsupported_currency: { status: 422, message: 'The rate table has no rate for this currency.' },
  insufficient_funds: { status: 422, message: 'The account does not have enough available credit for this deposit.' },
  deposit_too_small: { status: 422, message: 'The deposit converts to nothing in the merchant currency.' },
  chain_too_short: { status: 422, message: 'The hash chain cannot cover the deposit in merchant units.' },
  rate_table_expired: { status: 409, message: 'The rate table has expired; fetch a new one.' },
  rate_table_unknown: { status: 409, message: 'The rate table named in the request is not one this operator issued.' },
  rates_stale: {
    status: 503,
    message:
      "The operator's exchange rates are older than it accepts; it publishes no rate table until its source has newer ones.",
  },
  rates_unavailable: { status: 503, message: 'The operator has no exchange rates to publish yet; try again later.' },
  account_busy: {
    status: 409,
    message: 'The account still has open tabs, pending holds or a balance other than zero; it cannot be closed yet.',
  },
  credit_limit_below_use: {
    status: 409,
    message: 'The account already uses more credit than that limit; lower it once its tabs have cleared.',
  },
  unknown_dispute: { status: 404, message: 'There is no such dispute.' },
  dispute_resolved: { status: 409, message: 'The dispute was already resolved otherwise.' },
  adjustment_out_of_range: {
    status: 422,
    message: 'An adjusted clearing must lie between zero and the deposit of the tab.',
  },
  refund_exceeds_paid: {
    status: 422,
    message: 'The refund is more than the tab has paid and not yet refunded.',
  },
  refund_conflict: { status: 409, message: 'This refund id already names a refund of another tab or amount.' },
  unknown_purchase: { status: 404, message: 'The tab has no purchase of that sequence number.' },
  already_refunded: { status: 409, message: 'The purchase was already refunded.' },
  forbidden: { status: 403, message: 'These credentials do not allow this action.' },
  timeout_out_of_range: { status: 422, message: 'The requested tab timeout is outside what the operator allows.' },
  // Tabs and purchases
  unknown_tab: { status: 404, message: 'There is no such tab.' },
  tab_closed: { status: 409, message: 'The tab is closed.' },
  tab_not_opened: { status: 409, message: 'The tab never opened: nothing was or can be bought or charged on it.' },
  chain_reused: {
    status: 409,
    message: 'This hash-chain root already backs another tab; every tab needs a fresh chain.',
  },
  tab_expired: { status: 409, message: 'The tab has passed its timeout.' },
  deposit_exhausted: { status: 409, message: 'The purchase costs more than what is left of the deposit.' },
  price_mismatch: { status: 409, message: "The price is not the merchant's catalogue price for this item." },
  unknown_item: { status: 404, message: 'The merchant sells no such item.' },
  wrong_link: { status: 409, message: 'The chain link does not prove the payment.' },
  stale_link: { status: 409, message: 'The chain link is not beyond the last one paid (replayed or out of order).' },
  sequence_mismatch: { status: 409, message: 'The purchase sequence number is not the next one.' },
  list_key_mismatch: {
    status: 409,
    message: "The purchase names another purchase-list key than this tab's earlier purchases.",
  },
  // Secure delivery of digital goods
  unknown_order: { status: 404, message: 'There is no such delivery order on this tab.' },
  description_mismatch: {
    status: 409,
    message: "The order does not name the merchant's current signed description of the product, or its price.",
  },
  delivery_mismatch: { status: 409, message: 'The message names another order, package or ciphertext than this one.' },
  delivery_aborted: {
    status: 409,
    message: 'The delivery was aborted after its last failed attempt; nothing was charged. Order again.',
  },
  already_accepted: { status: 409, message: 'This order was already accepted with another accept message.' },
  delivery_only: {
    status: 409,
    message: 'This product is sold by secure delivery only: order it, and pay by accepting its package.',
  },
  k1_missing: { status: 409, message: "The customer's K1 for this order has not come from the MTA yet." },
  escrow_missing: { status: 404, message: 'The MTA holds no escrowed key for this order.' },
  evidence_invalid: { status: 422, message: 'The evidence bundle does not verify; its message says why.' },
  unknown_arbiter: { status: 403, message: 'The request is not signed by an arbiter this operator answers.' },
  // Operators talking to each other
  peer_unreachable: { status: 502, message: 'The other operator could not be reached.' },
  peer_refused: { status: 502, message: 'The other operator refused the request.' },
  merchant_unreachable: { status: 502, message: "The merchant's agent could not be reached." },
  merchant_refused: { status: 502, message: "The merchant's agent refused the tab." },
  // Only a defect can produce this; tests assert that no input ever does.
  internal_error: { status: 500, message: 'The server failed unexpectedly; nothing was changed.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: readonly string[] };
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/** A refusal with a stable code; thrown inside handlers, turned into a 4xx body at the edge. */
export class OpentabError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CATALOGUE[code].message,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'OpentabError';
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  toBody(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details.length > 0 ? { details: this.details } : {}) },
    };
  }
}
