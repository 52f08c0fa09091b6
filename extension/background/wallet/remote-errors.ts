// Turns a failed call to the own operator or a merchant agent into a refusal the customer can
// understand, keeping the remote's own sentence where it has one. The sentences name no URL and
// no error code: pages see them too (through the widget), and the code travels beside them.

import { RemoteCallError } from '@opentab/protocol';
import type { ErrorCode } from '@opentab/protocol';
import { AgentError, asAgentError, operatorUnreachable, rateTableExpired } from '../errors';

export function fromOperatorFailure(error: unknown): AgentError {
  if (!(error instanceof RemoteCallError)) return asAgentError(error);
  const failure = error.failure;
  if (failure.kind === 'unreachable') return operatorUnreachable();
  if (failure.kind === 'bad_response')
    return new AgentError('operator_unreachable', 'Your operator sent an answer Opentab cannot read. Try again later.');
  switch (failure.code) {
    case 'rate_limited':
      return tooManyRequests('Your operator');
    case 'insufficient_funds':
      return new AgentError('limit_reached', `Your operator refused the deposit. ${failure.message}`);
    case 'rate_table_expired':
    case 'rate_table_unknown':
      return rateTableExpired();
    case 'merchant_unreachable':
    case 'peer_unreachable':
      return new AgentError(
        'merchant_unreachable',
        `The merchant could not be reached to open the tab. ${failure.message}`,
      );
    case 'merchant_refused':
    case 'peer_refused':
    case 'unknown_merchant':
      return new AgentError('merchant_refused', `The merchant's side refused the tab. ${failure.message}`);
    default:
      return new AgentError('internal', `Your operator refused the request. ${failure.message}`);
  }
}

export function fromMerchantFailure(error: unknown): AgentError {
  if (!(error instanceof RemoteCallError)) return asAgentError(error);
  const failure = error.failure;
  if (failure.kind === 'refused' && failure.code === 'rate_limited')
    return tooManyRequests("The merchant's payment service");
  if (failure.kind === 'refused') {
    return new AgentError('merchant_refused', `The merchant refused the purchase. ${failure.message}`);
  }
  return new AgentError(
    'merchant_unreachable',
    "The merchant's payment service could not be reached. Try again in a moment.",
  );
}

/** A server's rate limit is a passing condition, not a refusal: the page may simply try again. */
function tooManyRequests(who: string): AgentError {
  return new AgentError(
    'busy',
    `${who} is receiving too many requests from your network right now; try again in a moment.`,
  );
}

/**
 * The merchant agent's own refusal of a purchase, by its code; null for a failure that says
 * nothing about the purchase: no answer, an answer that is not the agent's (a gateway's error
 * page), its own failure (5xx), or a rate limit. The agent refuses a purchase only after looking
 * for an earlier answer to it (a replay gets its receipt), so a refusal is definite even for a
 * purchase re-sent after an answer was lost; the rest leaves the purchase in doubt.
 */
export function merchantRefusalCode(error: unknown): ErrorCode | null {
  if (!(error instanceof RemoteCallError) || error.failure.kind !== 'refused') return null;
  const { status, code } = error.failure;
  if (code === 'unknown' || code === 'rate_limited' || status >= 500) return null;
  return code;
}
