// Zone 2: the operator knows its customers. An administrator creates the account and a one-time
// code; the customer agent binds its own key to the account by signing the code with that key.

import { OpentabError } from '@opentab/protocol';
import { verifyEnvelopeBySelfNamedKey } from '@opentab/protocol';
import { newPrefixedId } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import type { EnrollRequest, EnrollResult, LogonRequest, LogonResult } from '@opentab/protocol';
import { ledgerAccount } from '../ledger-accounts';
import type { OperatorContext } from '../operator-context';
import { assertFresh, authenticateCustomer } from './customer-auth';

/** Codes are typed by people: 16 characters from an alphabet without look-alikes, in groups of four. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function newEnrollmentCode(context: OperatorContext): string {
  const bytes = context.crypto.randomBytes(16);
  const characters = Array.from(bytes, (byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]!).join('');
  return characters.match(/.{4}/g)!.join('-');
}

export function newAccountId(context: OperatorContext): string {
  return newPrefixedId(context.crypto, 'acct');
}

export interface NewCustomer {
  readonly accountId: string;
  readonly currency: string;
  readonly creditLimit_minor: bigint;
  readonly displayName: string;
}

export async function createCustomer(context: OperatorContext, customer: NewCustomer, now_ms: number): Promise<void> {
  await context.storage.transaction(async (tx) => {
    await tx.customers.insertCustomer(customer.accountId, customer.currency, customer.displayName, now_ms);
    await tx.ledger.createAccount({
      id: ledgerAccount.customer(customer.accountId),
      currency: customer.currency,
      kind: 'customer',
      minBalance: -customer.creditLimit_minor,
    });
  });
}

export async function issueEnrollmentCode(
  context: OperatorContext,
  accountId: string,
  validFor_s: number,
  now_ms: number,
): Promise<{ code: string; expiresAt: string }> {
  const code = newEnrollmentCode(context);
  const expiresAt_ms = now_ms + validFor_s * 1000;
  await context.storage.transaction(async (tx) => {
    if ((await tx.customers.customer(accountId)) === null) throw new OpentabError('unknown_account');
    await tx.customers.insertEnrollmentCode(code, accountId, expiresAt_ms);
  });
  return { code, expiresAt: formatTimestamp(expiresAt_ms) };
}

export async function enroll(context: OperatorContext, request: EnrollRequest, now_ms: number): Promise<EnrollResult> {
  const authenticate = () => {
    if (request.kid !== request.payload.publicKey || !verifyEnvelopeBySelfNamedKey(context.crypto, request)) {
      throw new OpentabError('bad_signature', 'The enrolment must be signed by the key being enrolled.');
    }
    assertFresh(context, request.payload.iat, now_ms);
  };
  return context.receipts.onceInTransaction('enroll', request, now_ms, authenticate, async (tx) => {
    const code = await tx.customers.enrollmentCode(request.payload.code);
    if (code === null || code.usedAt !== null || code.expiresAt <= now_ms)
      throw new OpentabError('enrollment_code_invalid');
    if ((await tx.customers.customerByPublicKey(request.payload.publicKey)) !== null) {
      throw new OpentabError('enrollment_code_invalid', 'This key is already enrolled for an account.');
    }
    // A refusal rolls back the whole transaction, so a code used for an account that has a key stays unused.
    if (
      !(await tx.customers.useEnrollmentCode(request.payload.code, now_ms)) ||
      !(await tx.customers.bindCustomerKey(code.accountId, request.payload.publicKey))
    ) {
      throw new OpentabError('enrollment_code_invalid', 'The code was used, or the account already has a key.');
    }
    const customer = (await tx.customers.customer(code.accountId))!;
    context.log.info('customer.enrolled', { account: customer.accountId });
    return {
      accountId: customer.accountId,
      operatorId: context.identity.operatorId,
      currency: customer.currency,
      operatorCertificate: context.identity.certificate,
    };
  });
}

export async function logon(context: OperatorContext, request: LogonRequest, now_ms: number): Promise<LogonResult> {
  return context.receipts.onceInTransaction(
    'logon',
    request,
    now_ms,
    () => authenticateCustomer(context, request, now_ms),
    async (tx, customer) => {
      const session = await tx.customers.insertSession(
        customer.accountId,
        now_ms,
        now_ms + context.config.sessions.lifetime_s * 1000,
      );
      context.log.info('customer.logon', { account: customer.accountId, session: session.sessionId });
      return { sessionId: session.sessionId, expiresAt: formatTimestamp(session.expiresAt) };
    },
  );
}
