import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DepositRecord } from './billing-records';
import { JsonlFileSink, WEBHOOK_SIGNATURE_HEADER, WebhookSink } from './sinks';

const record: DepositRecord = {
  recordType: 'deposit', source: 'tab', recordId: 'deposit:op-eu:tab_1', operatorId: 'op-eu', merchantId: 'news', tabId: 'tab_1',
  customerOperatorId: 'op-se', amount: { currency: 'EUR', value: '12.03' }, outcome: 'agreed', clearedAt: '2026-11-29T10:00:00.000Z',
};

describe('billing sinks', () => {
  it('appends one JSON line per record', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'opentab-sink-')), 'billing', 'records.jsonl');
    const sink = new JsonlFileSink(path);
    await sink.deliver(record);
    await sink.deliver({ ...record, recordId: 'deposit:op-eu:tab_2' });
    expect(readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line).recordId)).toEqual(['deposit:op-eu:tab_1', 'deposit:op-eu:tab_2']);
  });

  it('posts a signed webhook, and a failing receiver makes delivery throw so the outbox retries', async () => {
    const secret = 'a-shared-webhook-secret';
    const received: Array<{ body: string; signature: string; recordId: string }> = [];
    let status = 503;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ body, signature: String(request.headers[WEBHOOK_SIGNATURE_HEADER]), recordId: String(request.headers['opentab-record-id']) });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sink = new WebhookSink(`http://127.0.0.1:${(server.address() as AddressInfo).port}/billing`, secret, () => 1_700_000_000_000);
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
  });
});
