// The traces one finished tab leaves behind, shaped and sized like the real thing, for filling
// stores fast: ids, a locked rate, both signed records. Signatures are random bytes of the right
// length: history is only read back, never verified again, so only its size and shape matter.

import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import type { Envelope, PayloadHeader } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import type { CustomerRecord } from '@opentab/protocol';
import type { MerchantRecord } from '@opentab/protocol';
import type { TabAck } from '@opentab/protocol';
import type { AmendedInitiationBody } from '@opentab/operator-server/store';
import type { LockedRate } from '@opentab/protocol';
import { chargeInCustomerCurrency, depositInMerchantCurrency } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { ARTICLE_PRICE, BENCH_CHAIN_UNIT, BENCH_CHAIN_UNIT_MINOR, BENCH_MERCHANT_ID } from './catalogue';

/** The ECB reference rate of the data file the operators start with. */
export const HISTORY_RATE: LockedRate = {
  tableId: '0'.repeat(32),
  base: 'EUR',
  customer: { currency: 'SEK', perBase: '11.3595' },
  merchant: { currency: 'EUR', perBase: '1' },
};
export const HISTORY_HOLD_MINOR = 1000n;
export const HISTORY_DEPOSIT_MINOR = depositInMerchantCurrency(HISTORY_HOLD_MINOR, HISTORY_RATE);
/** One five-cent article per historic tab. */
export const HISTORY_SPENT_MINOR = 5n;
export const HISTORY_CHARGE_MINOR = chargeInCustomerCurrency(HISTORY_SPENT_MINOR, HISTORY_RATE, HISTORY_HOLD_MINOR);
/** Historic tabs were opened at the merchant's unit, as live ones are: ceil(deposit ÷ unit) links, one revealed. */
export const HISTORY_CHAIN_UNIT = BENCH_CHAIN_UNIT;
export const HISTORY_CHAIN_UNIT_MINOR = BENCH_CHAIN_UNIT_MINOR;
export const HISTORY_CHAIN_LENGTH = Number(
  (HISTORY_DEPOSIT_MINOR + HISTORY_CHAIN_UNIT_MINOR - 1n) / HISTORY_CHAIN_UNIT_MINOR,
);
export const HISTORY_LAST_CHAIN_INDEX = Number(HISTORY_SPENT_MINOR / HISTORY_CHAIN_UNIT_MINOR);

/** 24 hex digits from a counter: valid account, tab and pseudonym ids that cannot meet the random ones of live tabs. */
function counterHex(prefix: number, index: number): string {
  return `${prefix.toString(16)}${index.toString(16).padStart(23, '0')}`;
}

export interface HistoricTab {
  readonly index: number;
  readonly accountId: string;
  readonly customerKey: string;
  readonly tabId: string;
  readonly pseudonym: string;
  readonly tabPublicKey: string;
  readonly chainRoot: string;
  readonly lastChainLink: string;
  readonly customerRecord: (transactionId: string) => CustomerRecord;
  readonly merchantRecord: MerchantRecord;
  /** Stand-ins of the size of what the AM keeps per transaction: the benchmark never reads them back. */
  readonly tabAck: (transactionId: string) => TabAck;
  readonly amendedInitiation: (transactionId: string) => AmendedInitiationBody;
}

/** About the size of a real tab-ack or amended initiation: two certificates and a signed customer certificate. */
const CERTIFICATES_PADDING = 'x'.repeat(1_800);

function randomKey(): string {
  return toBase64url(nodeCrypto.randomBytes(32));
}

function envelope<P extends PayloadHeader>(payload: P): Envelope<P> {
  return { payload, kid: randomKey(), sig: toBase64url(nodeCrypto.randomBytes(64)) };
}

export function historicTab(index: number, at_ms: number): HistoricTab {
  const tabId = `tab_${counterHex(0xa, index)}`;
  const lastChainLink = randomKey();
  const summary = {
    tabId,
    purchaseListHash: randomKey(),
    count: 1,
    total: ARTICLE_PRICE,
    lastChainIndex: HISTORY_LAST_CHAIN_INDEX,
    lastChainLink,
  };
  const header = (type: string) => ({ type, id: newMessageId(nodeCrypto), iat: formatTimestamp(at_ms) });
  return {
    index,
    accountId: `acct_${counterHex(0xa, index)}`,
    customerKey: randomKey(),
    tabId,
    pseudonym: `psn_${counterHex(0xa, index)}`,
    tabPublicKey: randomKey(),
    chainRoot: randomKey(),
    lastChainLink,
    customerRecord: (transactionId) =>
      envelope({ ...header('customer-record'), type: 'customer-record' as const, transactionId, ...summary }),
    merchantRecord: envelope({
      ...header('merchant-record'),
      type: 'merchant-record' as const,
      merchantId: BENCH_MERCHANT_ID,
      reason: 'customer-terminate' as const,
      ...summary,
    }),
    tabAck: (transactionId) =>
      envelope({ ...header('tab-ack'), transactionId, tabId, padding: CERTIFICATES_PADDING }) as unknown as TabAck,
    amendedInitiation: (transactionId) =>
      ({
        type: 'amended-initiation',
        transactionId,
        padding: CERTIFICATES_PADDING,
      }) as unknown as AmendedInitiationBody,
  };
}
