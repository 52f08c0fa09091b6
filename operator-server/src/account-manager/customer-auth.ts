// A customer request is believed when the account's enrolled key signed it recently enough;
// requests that act within a session must also name a live session of that same account.

import { fromBase64urlOfLength } from '@opentab/protocol';
import { verifyEnvelope, type Envelope, type PayloadHeader } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { checkIssuedAt } from '@opentab/protocol';
import type { OperatorContext } from '../operator-context';
import type { Customer, Session } from '../store/records';

export function assertFresh(context: OperatorContext, iat: string, now_ms: number): void {
  const freshness = checkIssuedAt(iat, now_ms, context.config.clockSkew_s * 1000);
  if (freshness !== 'fresh') {
    throw new OpentabError(
      'stale_message',
      `The message was issued ${freshness === 'in_future' ? 'in the future' : 'too long ago'} (iat ${iat}).`,
    );
  }
}

export async function authenticateCustomer(
  context: OperatorContext,
  envelope: Envelope<PayloadHeader & { accountId: string }>,
  now_ms: number,
): Promise<Customer> {
  const customer = await context.storage.customers.customer(envelope.payload.accountId);
  if (customer === null) throw new OpentabError('unknown_account');
  if (customer.status === 'closed') throw new OpentabError('account_closed');
  if (customer.publicKey === null || customer.publicKey !== envelope.kid)
    throw new OpentabError('unknown_key', 'The message is not signed by the key enrolled for this account.');
  if (!verifyEnvelope(context.crypto, envelope, fromBase64urlOfLength(customer.publicKey, 32)))
    throw new OpentabError('bad_signature');
  assertFresh(context, envelope.payload.iat, now_ms);
  return customer;
}

/** sessionId is <amId>.<seq>: it must be this AM's, the same account's, and not expired. */
export async function requireSession(
  context: OperatorContext,
  sessionId: string,
  accountId: string,
  now_ms: number,
): Promise<Session> {
  const dot = sessionId.lastIndexOf('.');
  const amId = sessionId.slice(0, dot);
  const seq = Number(sessionId.slice(dot + 1));
  const session =
    amId === context.identity.operatorId && Number.isSafeInteger(seq)
      ? await context.storage.customers.session(seq)
      : null;
  if (session === null || session.accountId !== accountId || session.expiresAt <= now_ms)
    throw new OpentabError('session_invalid');
  return session;
}
