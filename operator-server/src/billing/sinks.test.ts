import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DepositRecord } from './billing-records';
import {
  JsonlFileSink,
  WEBHOOK_SIGNATURE_HEADER,
  WebhookSink,
  parseBillingJsonl,
  signWebhookBody,
  verifyWebhookSignature,
} from './sinks';

const TAB_1 = 'tab_000000000000000000000001';
const TAB_2 = 'tab_000000000000000000000002';

const record: DepositRecord = {
  recordType: 'deposit',
  source: 'tab',
  recordId: `deposit:op-eu:${TAB_1}`,
  operatorId: 'op-eu',
  merchantId: 'news',
  tabId: TAB_1,
  customerOperatorId: 'op-se',
  amount: { currency: 'EUR', value: '12.03' },
  outcome: 'agreed',
  clearedAt: '2026-11-29T10:00:00.000Z',
};

describe('billing sinks', () => {
  it('appends one JSON line per record', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'opentab-sink-')), 'billing', 'records.jsonl');
    const sink = new JsonlFileSink(path);
    await sink.deliver(record);
    await sink.deliver({ ...record, recordId: `deposit:op-eu:${TAB_2}`, tabId: TAB_2 });
    expect(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).recordId),
    ).toEqual([`deposit:op-eu:${TAB_1}`, `deposit:op-eu:${TAB_2}`]);
  });

  it('writes a record delivered again once, also by a sink started afresh on the same file (a stop before the delivery was marked)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'opentab-sink-')), 'records.jsonl');
    await new JsonlFileSink(path).deliver(record);
    const restarted = new JsonlFileSink(path);
    await restarted.deliver(record);
    await restarted.deliver({ ...record, recordId: `deposit:op-eu:${TAB_2}`, tabId: TAB_2 });
    await restarted.deliver(record);
    expect(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).recordId),
    ).toEqual([`deposit:op-eu:${TAB_1}`, `deposit:op-eu:${TAB_2}`]);
  });

  it('refuses to write an invalid record (a defect: the outbox keeps it), and writes an old one as a tab record', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'opentab-sink-')), 'records.jsonl');
    const sink = new JsonlFileSink(path);
    const invalid = { ...record, amount: { currency: 'EUR', value: 12.03 } } as unknown as DepositRecord;
    await expect(sink.deliver(invalid)).rejects.toThrow(
      /billing record deposit:op-eu:tab_0+1 is invalid and was not delivered: amount\.value: /,
    );
    expect(existsSync(path)).toBe(false);
    const { source: _, ...old } = record;
    await sink.deliver(old as DepositRecord);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(record);
  });

  it('reads a JSONL file back through the schema, refusing a line that is not a billing record', () => {
    const { source: _, ...old } = record;
    const good = `${JSON.stringify(record)}\n\n${JSON.stringify(old)}\n`;
    expect(parseBillingJsonl(good, 'records.jsonl')).toEqual([record, record]);
    expect(() => parseBillingJsonl(`${good}${JSON.stringify({ ...record, extra: 1 })}\n`, 'records.jsonl')).toThrow(
      /^records\.jsonl:4: not a billing record: extra: /,
    );
    expect(() => parseBillingJsonl(`${good}{"recordType":\n`, 'records.jsonl')).toThrow(/^records\.jsonl:4: not JSON$/);
  });

  it('posts a signed webhook, and a failing receiver makes delivery throw so the outbox retries', async () => {
    const secret = 'a-shared-webhook-secret';
    const received: Array<{ body: string; signature: string; recordId: string }> = [];
    let status = 503;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({
          body,
          signature: String(request.headers[WEBHOOK_SIGNATURE_HEADER]),
          recordId: String(request.headers['opentab-record-id']),
        });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sink = new WebhookSink(`http://127.0.0.1:${(server.address() as AddressInfo).port}/billing`, secret, {
      now_ms: () => 1_700_000_000_000,
    });
    try {
      await expect(sink.deliver(record)).rejects.toThrow(/503/);
      status = 204;
      await sink.deliver(record);
    } finally {
      server.close();
    }
    expect(received).toHaveLength(2);
    const last = received[1]!;
    expect(JSON.parse(last.body)).toEqual(record);
    expect(last.recordId).toBe(record.recordId);
    const expectedMac = createHmac('sha256', secret).update(`1700000000.${last.body}`).digest('hex');
    expect(last.signature).toBe(`t=1700000000,v1=${expectedMac}`);

    // An invalid record never reaches the receiver.
    await expect(sink.deliver({ ...record, outcome: 'maybe' } as unknown as DepositRecord)).rejects.toThrow(
      /outcome: /,
    );
    expect(received).toHaveLength(2);
  });
});

describe("verifyWebhookSignature (the receiver's side)", () => {
  const body = '{"recordType":"deposit"}';
  const t_s = 1_700_000_000;

  it('accepts the MAC of exactly this body under the secret, within the tolerance', () => {
    const header = signWebhookBody('s3cret', body, t_s);
    expect(verifyWebhookSignature('s3cret', body, header, t_s)).toBe(true);
    expect(verifyWebhookSignature('s3cret', body, header, t_s + 300)).toBe(true);
  });

  it('refuses another secret, another body, a stale or future stamp, and malformed headers', () => {
    const header = signWebhookBody('s3cret', body, t_s);
    expect(verifyWebhookSignature('other', body, header, t_s)).toBe(false);
    expect(verifyWebhookSignature('s3cret', `${body} `, header, t_s)).toBe(false);
    expect(verifyWebhookSignature('s3cret', body, header, t_s + 301)).toBe(false);
    expect(verifyWebhookSignature('s3cret', body, header, t_s - 301)).toBe(false);
    for (const malformed of [undefined, '', 'v1=00', `t=${t_s}`, `${header},v0=ab`, header.toUpperCase()]) {
      expect(verifyWebhookSignature('s3cret', body, malformed, t_s)).toBe(false);
    }
  });
});
