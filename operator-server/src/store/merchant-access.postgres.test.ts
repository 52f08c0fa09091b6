// The merchants group of the operator's store, one suite run on both stores: the SQLite file
// through SqliteOperatorStorage and a PostgreSQL database migrated with the operator's steps.

import { describe, expect, it } from 'vitest';
import type { Merchant } from './records';
import { BOTH_STORES } from './testing/both-stores';

const news: Merchant = {
  merchantId: 'news',
  displayName: 'The Daily News',
  currency: 'EUR',
  origins: ['https://news.example'],
  agentUrl: 'https://news.example/opentab',
  publicKey: 'key-1',
  createdAt: 1_800_000_000_000,
};

describe.each(BOTH_STORES)('the merchants of the operator store on $name', ({ open }) => {
  it('registers a merchant, updates its terms but keeps its status, and suspends it', async () => {
    const { merchants } = await open();
    expect(await merchants.merchant('news')).toBeNull();
    await merchants.upsertMerchant(news);
    expect(await merchants.merchant('news')).toEqual({ ...news, status: 'active', statusReason: null });

    await merchants.setMerchantStatus('news', 'suspended', 'chargebacks under review');
    await merchants.upsertMerchant({ ...news, displayName: 'Daily News', origins: ['https://daily.example'] });
    expect(await merchants.merchant('news')).toEqual({
      ...news,
      displayName: 'Daily News',
      origins: ['https://daily.example'],
      status: 'suspended',
      statusReason: 'chargebacks under review',
    });
  });

  it('lists merchants by id in code-point order, up to the limit', async () => {
    const { merchants } = await open();
    for (const merchantId of ['beta', 'Zeta', 'alpha', 'Alpha'])
      await merchants.upsertMerchant({ ...news, merchantId, publicKey: `key-${merchantId}` });
    expect((await merchants.merchants(3)).map((merchant) => merchant.merchantId)).toEqual(['Alpha', 'Zeta', 'alpha']);
  });
});
