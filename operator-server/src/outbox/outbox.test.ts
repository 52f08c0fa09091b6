import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../ledger';
import { migrateOperatorStore } from '../store/schema';
import type { DepositRecord } from '../billing/billing-records';
import { retryDelay_ms } from '@opentab/server-kit';
import { DUE_ROWS_SQL, OUTBOX_BACKOFF, Outbox } from './outbox';

const record: DepositRecord = {
  recordType: 'deposit',
  source: 'tab',
  recordId: 'deposit:op-eu:tab_1',
  operatorId: 'op-eu',
  merchantId: 'news',
  tabId: 'tab_1',
  customerOperatorId: 'op-se',
  amount: { currency: 'EUR', value: '12.03' },
  outcome: 'agreed',
  clearedAt: '2026-11-29T10:00:00.000Z',
};

function freshOutbox() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'opentab-outbox-')), 'operator.sqlite'));
  migrateOperatorStore(db);
  return { db, outbox: new Outbox(db) };
}

describe('outbox', () => {
  it('finds due rows through its partial index, never by scanning delivered history', () => {
    const { db } = freshOutbox();
    const plan = db
      .prepare<[number, number], { detail: string }>(`EXPLAIN QUERY PLAN ${DUE_ROWS_SQL}`)
      .all(0, 1)
      .map((row) => row.detail);
    expect(plan.join('\n')).toMatch(/USING INDEX outbox_due/);
    expect(plan.join('\n')).not.toMatch(/^SCAN outbox$/m);
  });

  it('backs off exponentially with jitter, capped at five minutes', () => {
    expect(retryDelay_ms(1, OUTBOX_BACKOFF, () => 0)).toBe(250);
    expect(retryDelay_ms(1, OUTBOX_BACKOFF, () => 1)).toBe(500);
    expect(retryDelay_ms(4, OUTBOX_BACKOFF, () => 1)).toBe(4000);
    expect(retryDelay_ms(40, OUTBOX_BACKOFF, () => 1)).toBe(300_000);
  });

  it('retries a failing delivery after its backoff and then marks it delivered, once', async () => {
    const { outbox } = freshOutbox();
    outbox.enqueue(record.recordId, { kind: 'billing', sinkIndex: 0 }, record, 1_000);
    outbox.enqueue(record.recordId, { kind: 'billing', sinkIndex: 0 }, record, 1_000); // duplicate is ignored
    let up = false;
    const delivered: unknown[] = [];
    const deliver = async (_: unknown, payload: unknown) => {
      if (!up) throw new Error('sink down');
      delivered.push(payload);
    };
    expect(await outbox.deliverDue(1_000, deliver)).toBe(0);
    const [failed] = outbox.rowsOfRecord(record.recordId);
    expect(failed).toMatchObject({ attempts: 1, deliveredAt: null, lastError: 'sink down' });
    expect(await outbox.deliverDue(1_100, deliver)).toBe(0); // still backing off: not even tried
    up = true;
    expect(await outbox.deliverDue(1_000 + 600, deliver)).toBe(1);
    expect(await outbox.deliverDue(10_000, deliver)).toBe(0);
    expect(delivered).toEqual([record]);
    expect(outbox.pending()).toBe(0);
  });
});
