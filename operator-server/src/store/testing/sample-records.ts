// A customer, a merchant and numbered transactions and tabs of theirs, for the suites of the
// transactions and tabs groups. The protocol documents inside (rate, chain, acknowledgement,
// records) are stored whole as JSON, so plain objects of their shape are enough here.

import type { TabAck } from '@opentab/protocol';
import type { NewTab, NewTransaction } from '../operator-store';
import type { StoreGroups } from './both-stores';

export const ACCOUNT_ID = 'acct_1';
export const MERCHANT_ID = 'news';
export const CUSTOMER_OPERATOR_ID = 'op-se';

/** More than a double holds exactly: amounts must survive every store as integers. */
export const BEYOND_DOUBLE_MINOR = 9_007_199_254_740_993n;

export async function seedCustomerAndMerchant(groups: Pick<StoreGroups, 'customers' | 'merchants'>): Promise<void> {
  await groups.customers.insertCustomer(ACCOUNT_ID, 'SEK', 'Alice', 1);
  await groups.merchants.upsertMerchant({
    merchantId: MERCHANT_ID,
    displayName: 'News',
    currency: 'EUR',
    origins: ['https://news.example'],
    agentUrl: 'http://agent.invalid',
    publicKey: 'merchant-key',
    createdAt: 1,
  });
}

const chain = (root: string) => ({ root, unit: { currency: 'EUR', value: '0.01' }, length: 100 }) as never;

export function sampleTransaction(n: number, fields: Partial<NewTransaction> = {}): NewTransaction {
  return {
    transactionId: `op-se.1.${n}`,
    sessionId: 'op-se.1',
    accountId: ACCOUNT_ID,
    merchantId: MERCHANT_ID,
    merchantOperatorId: 'op-eu',
    hold_minor: 1000n,
    customerCurrency: 'SEK',
    deposit_minor: 88n,
    merchantCurrency: 'EUR',
    rate: {
      tableId: 'rates-1',
      customer: { currency: 'SEK', value: '1' },
      merchant: { currency: 'EUR', value: '0.088' },
    },
    tabPublicKey: `tab-key-${n}`,
    chain: chain(`root-t${n}`),
    pseudonym: `psn-${n}`,
    openedAt: 1_000 + n,
    expiresAt: 2_000 + n,
    initiationId: `init-${n}`,
    chainRoot: `root-t${n}`,
    amendedInitiation: { initiation: `init-${n}`, merchant: MERCHANT_ID } as never,
    ...fields,
  } as NewTransaction;
}

export function sampleTab(n: number, fields: Partial<NewTab> = {}): NewTab {
  return {
    tabId: `tab_${String(n).padStart(24, '0')}`,
    merchantId: MERCHANT_ID,
    customerOperatorId: CUSTOMER_OPERATOR_ID,
    transactionId: `op-se.1.${n}`,
    pseudonym: `psn-${n}`,
    tabPublicKey: `tab-key-${n}`,
    deposit_minor: 88n,
    currency: 'EUR',
    chain: chain(`root-${n}`),
    openedAt: 1_000 + n,
    expiresAt: 2_000 + n,
    concludeAfter: 3_000,
    ...fields,
  };
}

export const ackOf = (tabId: string): TabAck =>
  ({ payload: { tabId }, signature: 'mta-signature' }) as unknown as TabAck;

/** A customer's or merchant's record, as far as the store is concerned: a document kept whole. */
export const recordOf = (id: string) => ({ payload: { id, count: 3 }, signature: `sig-${id}` }) as never;
