// Seed FIG 3, step 1 at the customer's AM: the customer agent's record, signed by the tab key,
// is kept and passed on to the MTA inside the AM's own signature.

import { fromBase64urlOfLength } from '@opentab/protocol';
import { seal, verifyEnvelope, type PayloadBody } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { CustomerRecord } from '@opentab/protocol';
import type { CustomerRecordRelayPayload, RecordAck } from '@opentab/protocol';
import type { OperatorContext } from '../operator-context';
import { assertFresh } from './customer-auth';

export async function relayCustomerRecord(
  context: OperatorContext,
  record: CustomerRecord,
  now_ms: number,
): Promise<RecordAck> {
  const p = record.payload;
  const authenticate = async () => {
    const transaction = await context.storage.transactions.transaction(p.transactionId);
    if (transaction === null || transaction.tabId !== p.tabId) throw new OpentabError('unknown_tab');
    if (record.kid !== transaction.tabPublicKey)
      throw new OpentabError('unknown_key', 'The record is not signed by the tab key of this transaction.');
    if (!verifyEnvelope(context.crypto, record, fromBase64urlOfLength(transaction.tabPublicKey, 32)))
      throw new OpentabError('bad_signature');
    assertFresh(context, p.iat, now_ms);
    return transaction;
  };
  return context.receipts.once('customerRecord', record, now_ms, authenticate, async (transaction) => {
    if (p.total.currency !== transaction.merchantCurrency)
      throw new OpentabError('currency_mismatch', `The record's total must be in ${transaction.merchantCurrency}.`);
    // The first record kept stands: checked and written in one transaction, as others may come at once.
    await context.storage.transaction(async (tx) => {
      if ((await tx.transactions.transaction(transaction.transactionId))?.customerRecord === null)
        await tx.transactions.setTransactionCustomerRecord(transaction.transactionId, record);
    });

    const relay = seal(
      context.crypto,
      context.identity.signer,
      {
        type: 'customer-record-relay',
        operatorCertificate: context.identity.certificate,
        record,
      } satisfies PayloadBody<CustomerRecordRelayPayload>,
      now_ms,
    );
    const ack = await context.peers.call(transaction.merchantOperatorId, 'peerCustomerRecord', relay);
    const mta = await context.peers.certificateOf(transaction.merchantOperatorId, now_ms);
    if (
      ack.payload.recordId !== p.id ||
      ack.payload.tabId !== p.tabId ||
      !verifyEnvelope(context.crypto, ack, fromBase64urlOfLength(mta.payload.publicKey, 32))
    ) {
      throw new OpentabError(
        'peer_refused',
        'The MTA acknowledged another record or did not sign its acknowledgement.',
      );
    }
    return ack;
  });
}
