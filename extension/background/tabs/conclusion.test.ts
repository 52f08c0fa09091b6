import { describe, expect, it } from 'vitest';
import { seal } from '@opentab/protocol';
import type { CustomerRecord } from '@opentab/protocol';
import type { RecordAck } from '@opentab/protocol';
import { crypto, merchantCertificate, newSigner, openFiveCentTab, operatorCertificate } from '../testing/fixtures';
import { recordAckProblem } from './conclusion';

const now = Date.parse('2026-06-01T12:00:00Z');
const ca = newSigner();
const mta = newSigner();
const ownOperator = newSigner();
const tabKey = newSigner();

const record: CustomerRecord = seal(
  crypto,
  tabKey,
  {
    type: 'customer-record',
    transactionId: 'op-sek.1.1',
    tabId: 'tab_0123456789abcdef01234567',
    purchaseListHash: 'A'.repeat(43),
    count: 0,
    total: { currency: 'EUR', value: '0.00' },
    lastChainIndex: 0,
    lastChainLink: 'A'.repeat(43),
  },
  now,
);

const ackBy = (signer: ReturnType<typeof newSigner>, change: Partial<RecordAck['payload']> = {}): RecordAck =>
  seal(
    crypto,
    signer,
    {
      type: 'record-ack',
      operatorId: 'op-eur',
      recordId: record.payload.id,
      tabId: record.payload.tabId,
      status: 'recorded',
      ...change,
    },
    now,
  );

describe('recordAckProblem', () => {
  const tab = openFiveCentTab({
    merchantCertificate: merchantCertificate(mta, newSigner(), now),
    merchantOperatorCertificate: operatorCertificate(ca, mta, now),
  });

  it('takes an acknowledgement by the merchant operator the CA certified, about this record', () => {
    expect(recordAckProblem(crypto, ackBy(mta), record, tab)).toBeNull();
  });

  it('refuses one by the signer of the merchant certificate when that is not the certified operator', () => {
    // The merchant certificate of this tab was signed by the own operator, not by the MTA.
    const vouchedByOwnOperator = { ...tab, merchantCertificate: merchantCertificate(ownOperator, newSigner(), now) };
    expect(recordAckProblem(crypto, ackBy(ownOperator), record, vouchedByOwnOperator)).toBe(
      "the acknowledgement is not signed by the merchant's operator",
    );
    expect(recordAckProblem(crypto, ackBy(mta), record, vouchedByOwnOperator)).toBeNull();
  });

  it('refuses one naming another operator, record or tab', () => {
    expect(recordAckProblem(crypto, ackBy(mta, { operatorId: 'op-sek' }), record, tab)).toBe(
      "the acknowledgement is not signed by the merchant's operator",
    );
    expect(recordAckProblem(crypto, ackBy(mta, { recordId: 'f'.repeat(32) }), record, tab)).toBe(
      'the acknowledgement is about another record',
    );
    expect(recordAckProblem(crypto, ackBy(mta, { tabId: 'tab_ffffffffffffffffffffffff' }), record, tab)).toBe(
      'the acknowledgement is about another record',
    );
  });

  it('checks a tab stored without the operator certificate against the signer of its merchant certificate, as before', () => {
    const { merchantOperatorCertificate: _, ...stored } = tab;
    expect(recordAckProblem(crypto, ackBy(mta), record, stored)).toBeNull();
    expect(recordAckProblem(crypto, ackBy(ownOperator), record, stored)).not.toBeNull();
  });
});
