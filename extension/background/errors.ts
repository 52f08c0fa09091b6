// One error type for every refusal the customer agent makes, with a sentence a customer can act
// on. Services throw it; the two message handlers turn it into { ok: false, error }.

import { BridgeErrorCode } from '@opentab/protocol';
import type { AgentErrorCode } from '../messaging/ui-calls';

export class AgentError extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}

export const walletLocked = () =>
  new AgentError(
    'wallet_locked',
    'Your Opentab wallet is locked. Open the Opentab popup and unlock it with your passphrase.',
  );

export const walletNotEnrolled = () =>
  new AgentError(
    'wallet_not_enrolled',
    'This wallet is not enrolled with an operator yet. Enrol it on the Opentab options page.',
  );

/** The customer reads a sentence; where and how the call failed is for the service worker's network log, not
 * for them. */
export const operatorUnreachable = () =>
  new AgentError('operator_unreachable', 'Your operator could not be reached. Check your connection and try again.');

export const rateTableExpired = () =>
  new AgentError(
    'rate_table_expired',
    "Your operator's exchange-rate table has expired and no new one could be fetched, so no price can be converted. Try again later.",
  );

export const declinedByCustomer = () =>
  new AgentError('declined_by_customer', 'You declined to open a tab at this merchant.');

/** The purchase left and the merchant has not answered it: Opentab keeps sending it, the same purchase, until
 * it does. */
export const paymentPending = () =>
  new AgentError(
    'payment_pending',
    'Payment pending: the shop has not answered yet. Opentab will finish this purchase when it does, without charging twice.',
  );

/** Another item's purchase at this merchant is still unanswered; the next one waits for it, as its sequence
 * number does. */
export const earlierPurchasePending = () =>
  new AgentError(
    'merchant_unreachable',
    "An earlier purchase at this shop is still waiting for the shop's answer. Try again in a moment.",
  );

const PAGE_CODES: ReadonlySet<string> = new Set(BridgeErrorCode.options);

/** A page may learn only the bridge's codes; anything else it sees as "internal". */
export function toBridgeErrorCode(code: AgentErrorCode): BridgeErrorCode {
  return PAGE_CODES.has(code) ? (code as BridgeErrorCode) : 'internal';
}

/** Any thrown value as an AgentError; unexpected errors keep their message for the log only. */
export function asAgentError(error: unknown): AgentError {
  if (error instanceof AgentError) return error;
  return new AgentError('internal', 'Opentab hit an internal error. Try again; if it persists, reload the extension.');
}
