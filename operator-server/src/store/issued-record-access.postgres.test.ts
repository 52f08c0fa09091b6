// The merchant certificates and rate tables this operator issued, as groups of the operator's
// store, one suite run on both stores.

import { describe, expect, it } from 'vitest';
import type { StoredRateTable } from '../rates/rate-table-store';
import { BOTH_STORES } from './testing/both-stores';

const NOW_MS = 1_800_000_000_000;
const HOUR_MS = 3_600_000;

describe.each(BOTH_STORES)('the merchant certificates issued, in the operator store on $name', ({ open }) => {
  it("answers a merchant's latest certificate and how many it was issued, apart from other merchants", async () => {
    const { issuedCertificates } = await open();
    expect(await issuedCertificates.certificatesOf('shop-1')).toEqual({ latest: null, issued: 0 });
    const issue = (merchantId: string, hours: number, signedBy: string) =>
      issuedCertificates.recordIssuedCertificate({
        merchantId,
        issuedAt_ms: NOW_MS + hours * HOUR_MS,
        validUntil_ms: NOW_MS + (hours + 24) * HOUR_MS,
        signedBy,
      });
    await issue('shop-1', 0, 'key-0');
    await issue('shop-2', 1, 'key-0');
    await issue('shop-1', 2, 'key-1');
    expect(await issuedCertificates.certificatesOf('shop-1')).toEqual({
      latest: {
        merchantId: 'shop-1',
        issuedAt_ms: NOW_MS + 2 * HOUR_MS,
        validUntil_ms: NOW_MS + 26 * HOUR_MS,
        signedBy: 'key-1',
      },
      issued: 2,
    });
    expect(await issuedCertificates.certificatesOf('shop-2')).toMatchObject({
      issued: 1,
      latest: { signedBy: 'key-0' },
    });
  });
});

const table = (tableId: string, issuedHours: number, envelope = `{"id":"${tableId}"}`): StoredRateTable => ({
  tableId,
  envelope,
  issuedAt_ms: NOW_MS + issuedHours * HOUR_MS,
  validUntil_ms: NOW_MS + (issuedHours + 1) * HOUR_MS,
});

describe.each(BOTH_STORES)('the rate tables issued, in the operator store on $name', ({ open }) => {
  it('keeps a table once under its id, whatever a second one of that id says', async () => {
    const { rateTables } = await open();
    expect(await rateTables.rateTable('rt-1')).toBeNull();
    const kept = await Promise.all([
      rateTables.insertRateTable(table('rt-1', 0, '{"first":true}')),
      rateTables.insertRateTable(table('rt-1', 0, '{"second":true}')),
    ]);
    expect(kept.filter(Boolean)).toHaveLength(1);
    const stored = await rateTables.rateTable('rt-1');
    expect(stored).toEqual(table('rt-1', 0, kept[0] ? '{"first":true}' : '{"second":true}'));
  });

  it('answers the table issued last', async () => {
    const { rateTables } = await open();
    expect(await rateTables.latestRateTable()).toBeNull();
    await rateTables.insertRateTable(table('rt-b', 1));
    await rateTables.insertRateTable(table('rt-c', 0));
    expect(await rateTables.latestRateTable()).toEqual(table('rt-b', 1));
    await rateTables.insertRateTable(table('rt-a', 2));
    expect(await rateTables.latestRateTable()).toEqual(table('rt-a', 2));
    expect(await rateTables.rateTable('rt-c')).toEqual(table('rt-c', 0));
  });
});
