import { describe, expect, it } from 'vitest';
import { defaultRules } from '../limits/spending-rules';
import { TEST_SCRYPT_COST } from '../testing/test-ports';
import { exportBackup, openBackup, type WalletSnapshot } from './backup';
import { historyCsv } from './history-csv';

const snapshot: WalletSnapshot = {
  identitySecretKey: new Uint8Array(32).fill(7),
  publicKey: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', // RFC 8032 TEST 1's: any sound key does
  enrolment: null,
  rules: {
    ...defaultRules('SEK'),
    allowances: [
      {
        merchantId: 'news',
        operatorId: 'op-eur',
        displayName: 'Daily News',
        maxDeposit_minor: 5_000n,
        grantedAt_ms: 1,
      },
    ],
  },
  preferences: { tabTimeout_s: 1800, idleLock_min: 5 },
};

describe('backup', () => {
  it('round-trips key, rules and preferences under the passphrase, with nothing in clear', async () => {
    const json = await exportBackup(
      snapshot,
      'a long enough passphrase',
      Date.parse('2026-06-01T00:00:00Z'),
      TEST_SCRYPT_COST,
    );
    expect(json).not.toContain('Daily News');
    expect(JSON.parse(json)).toMatchObject({ format: 'opentab-backup', version: 1 });
    const opened = await openBackup(json, 'a long enough passphrase');
    expect(opened).toEqual({ ok: true, snapshot });
  });

  it('tells a wrong passphrase from a file that is not a backup', async () => {
    const json = await exportBackup(snapshot, 'a long enough passphrase', 0, TEST_SCRYPT_COST);
    expect(await openBackup(json, 'another passphrase!')).toEqual({ ok: false, problem: 'wrong_passphrase' });
    expect(await openBackup('{"format":"something"}', 'x')).toEqual({ ok: false, problem: 'not_a_backup' });
    expect(await openBackup('not json', 'x')).toEqual({ ok: false, problem: 'not_a_backup' });
  });
});

describe('historyCsv', () => {
  it('writes RFC 4180 rows with item id and title, and defuses spreadsheet formulas', () => {
    const csv = historyCsv(
      [
        {
          at: '2026-06-01T12:00:00.000Z',
          transactionId: 'op-sek.1.1',
          merchantDisplayName: 'News, "Daily"',
          itemId: 'a-1',
          title: 'Rain, "at last"',
          price: { currency: 'EUR', value: '0.05' },
          priceCustomer: { currency: 'SEK', value: '0.57' },
          status: 'paid',
        },
        {
          at: '2026-06-01T12:01:00.000Z',
          transactionId: 'op-sek.1.1',
          merchantDisplayName: '=HYPERLINK("x")',
          itemId: 'a-2',
          title: '@SUM(A1)',
          price: { currency: 'EUR', value: '0.10' },
          priceCustomer: { currency: 'SEK', value: '1.14' },
          status: 'paid',
        },
        // Stored before titles were kept: the title column stays empty, the item id says what it was.
        {
          at: '2026-06-01T12:02:00.000Z',
          transactionId: 'op-sek.1.1',
          merchantDisplayName: 'News',
          itemId: 'a-3',
          title: null,
          price: { currency: 'EUR', value: '0.15' },
          // Paid from a tab this wallet does not hold: no rate to convert it at.
          priceCustomer: null,
          status: 'paid',
        },
        {
          at: '2026-06-01T12:03:00.000Z',
          transactionId: 'op-sek.1.1',
          merchantDisplayName: 'News',
          itemId: 'a-4',
          title: '\t=1+1',
          price: { currency: 'EUR', value: '0.15' },
          priceCustomer: { currency: 'SEK', value: '1.70' },
          status: 'paid',
        },
      ],
      [
        // Their tab cleared as disputed: each purchase carries the outcome, the tab's charge and why.
        {
          transactionId: 'op-sek.1.1',
          merchantDisplayName: 'News',
          spent: null,
          spentCustomer: null,
          charged: { currency: 'SEK', value: '4.00' },
          clearedAt: '2026-06-01T13:00:00.000Z',
          outcome: 'disputed',
          disputed: true,
          clearingNote: 'totals differ (customer 0.45, merchant 5.00 EUR)',
          decision: null,
        },
      ],
    );
    expect(csv.split('\r\n')).toEqual([
      'date,merchant,item,title,amount,currency,transaction,amount_customer,currency_customer,tab_outcome,tab_charged,tab_charged_currency,tab_decision,tab_reason',
      '2026-06-01T12:00:00.000Z,"News, ""Daily""",a-1,"Rain, ""at last""",0.05,EUR,op-sek.1.1,0.57,SEK,disputed,4.00,SEK,,"totals differ (customer 0.45, merchant 5.00 EUR)"',
      `2026-06-01T12:01:00.000Z,"'=HYPERLINK(""x"")",a-2,'@SUM(A1),0.10,EUR,op-sek.1.1,1.14,SEK,disputed,4.00,SEK,,"totals differ (customer 0.45, merchant 5.00 EUR)"`,
      '2026-06-01T12:02:00.000Z,News,a-3,,0.15,EUR,op-sek.1.1,,,disputed,4.00,SEK,,"totals differ (customer 0.45, merchant 5.00 EUR)"',
      `2026-06-01T12:03:00.000Z,News,a-4,'\t=1+1,0.15,EUR,op-sek.1.1,1.70,SEK,disputed,4.00,SEK,,"totals differ (customer 0.45, merchant 5.00 EUR)"`,
      '',
    ]);
  });
});
