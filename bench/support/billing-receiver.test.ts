import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DepositRecord, WithdrawalRecord } from '@opentab/operator-server';
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER, WebhookSink } from '@opentab/operator-server';
import { BillingReceiver } from './billing-receiver';

const TAB_ID = 'tab_0123456789abcdef01234567';

const withdrawal: WithdrawalRecord = {
  recordType: 'withdrawal',
  source: 'tab',
  recordId: 'withdrawal:op-se:op-se.1.1',
  operatorId: 'op-se',
  accountId: 'acct_0123456789abcdef01234567',
  transactionId: 'op-se.1.1',
  tabId: TAB_ID,
  merchantId: 'news',
  merchantOperatorId: 'op-eu',
  amount: { currency: 'EUR', value: '0.12' },
  hold: { currency: 'EUR', value: '5.00' },
  released: { currency: 'EUR', value: '4.88' },
  merchantAmount: { currency: 'EUR', value: '0.12' },
  rate: {
    tableId: '0123456789abcdef0123456789abcdef',
    base: 'EUR',
    customer: { currency: 'EUR', perBase: '1' },
    merchant: { currency: 'EUR', perBase: '1' },
  },
  outcome: 'agreed',
  clearedAt: '2026-11-29T10:00:00.000Z',
};

const deposit: DepositRecord = {
  recordType: 'deposit',
  source: 'tab',
  recordId: `deposit:op-eu:${TAB_ID}`,
  operatorId: 'op-eu',
  merchantId: 'news',
  tabId: TAB_ID,
  customerOperatorId: 'op-se',
  amount: { currency: 'EUR', value: '0.12' },
  outcome: 'agreed',
  clearedAt: '2026-11-29T10:00:00.000Z',
};

const SECRET = 'the operators-webhook secret';

let receiver: BillingReceiver;
beforeEach(async () => {
  receiver = await BillingReceiver.start(SECRET);
});
afterEach(() => receiver.close());

const now_s = () => Math.floor(Date.now() / 1000);

/** Posts `body` signed as the operators' webhook sink signs it (`signature: null` sends none). */
function post(
  body: string,
  method = 'POST',
  signature: string | null = signWebhookBody(SECRET, body, now_s()),
): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(signature === null ? {} : { [WEBHOOK_SIGNATURE_HEADER]: signature }),
  };
  return fetch(receiver.url, { method, headers, body: method === 'GET' ? undefined : body });
}

/** Whether `settled` has resolved by the time pending I/O callbacks have run. */
async function isSettled(tabId: string): Promise<boolean> {
  return Promise.race([
    receiver.settled(tabId).then(() => true),
    new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
  ]);
}

describe('benchmark billing receiver', () => {
  it('accepts what the webhook sink delivers and settles a tab once both of its records arrived', async () => {
    const sink = new WebhookSink(receiver.url, SECRET);
    await sink.deliver(withdrawal);
    await sink.deliver(withdrawal); // at least once: a repeat counts once
    expect(await isSettled(TAB_ID)).toBe(false);
    await sink.deliver(deposit);
    expect(await isSettled(TAB_ID)).toBe(true);
    expect(receiver.refused).toEqual([]);
  });

  it('accepts an old record without source as a tab record', async () => {
    const { source: _, ...old } = deposit;
    expect((await post(JSON.stringify(old))).status).toBe(204);
  });

  it('answers 400 to a body that is not a billing record, and does not count it', async () => {
    const invalid = [
      { ...deposit, amount: { currency: 'EUR', value: 0.12 } },
      { ...deposit, recordType: 'refund' },
      { ...deposit, extra: true },
      (({ clearedAt: _, ...rest }) => rest)(deposit),
    ];
    for (const record of invalid) {
      const answer = await post(JSON.stringify(record));
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { problems: string[] }).problems.length).toBeGreaterThan(0);
    }
    expect((await post('{"recordType":')).status).toBe(400);
    expect(receiver.refused).toHaveLength(invalid.length + 1);
    expect(receiver.refused[0]?.problems).toEqual([expect.stringMatching(/^amount\.value: /)]);

    // An invalid deposit does not complete the tab its tabId names.
    await post(JSON.stringify(withdrawal));
    await post(JSON.stringify({ ...deposit, extra: true }));
    expect(await isSettled(TAB_ID)).toBe(false);
  });

  it('answers 405 to anything but POST', async () => {
    expect((await post('', 'GET')).status).toBe(405);
  });

  it('refuses a forged record that the webhook sink itself would not send', async () => {
    const forged = { ...deposit, outcome: 'maybe' } as unknown as DepositRecord;
    expect((await post(JSON.stringify(forged))).status).toBe(400);
    await expect(new WebhookSink(receiver.url, SECRET).deliver(forged)).rejects.toThrow(/outcome: /);
    expect(receiver.refused).toHaveLength(1); // the sink's own check stopped the second one before it was sent
  });

  it('answers 401 to a delivery unsigned, signed with another secret, stale, or signed for another body, and counts none', async () => {
    const body = JSON.stringify(deposit);
    const refusals = [
      await post(body, 'POST', null),
      await post(body, 'POST', signWebhookBody('another secret', body, now_s())),
      await post(body, 'POST', signWebhookBody(SECRET, body, now_s() - 3_600)),
      await post(body, 'POST', signWebhookBody(SECRET, JSON.stringify(withdrawal), now_s())),
      await post(body, 'POST', 'v1=00'),
    ];
    expect(refusals.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    await expect(new WebhookSink(receiver.url, 'another secret').deliver(withdrawal)).rejects.toThrow(/401/);
    expect(receiver.refused).toHaveLength(refusals.length + 1);
    expect(await isSettled(TAB_ID)).toBe(false);
    // The same deliveries, signed right, are taken.
    await new WebhookSink(receiver.url, SECRET).deliver(withdrawal);
    expect((await post(body)).status).toBe(204);
    expect(await isSettled(TAB_ID)).toBe(true);
  });
});
