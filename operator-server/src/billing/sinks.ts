// Billing sinks: where billing records leave the operator. The interface is the seam to a real
// bank's billing system; two sinks are built in: an append-only JSONL file and a signed webhook.

import { createHmac } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { nodeHttpTransport } from '../../../protocol/server/node-http-transport';
import type { BillingSinkConfig } from '../config/config';
import type { BillingRecord } from './billing-records';

export interface BillingSink {
  readonly name: string;
  /** Resolves once the record is durably accepted; throws to have the outbox retry later. */
  deliver(record: BillingRecord): Promise<void>;
}

export class JsonlFileSink implements BillingSink {
  readonly name: string;

  constructor(private readonly path: string) {
    this.name = `jsonl:${path}`;
  }

  async deliver(record: BillingRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, `${JSON.stringify(record)}\n`, { encoding: 'utf8', flush: true });
  }
}

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as receivers of signed webhooks expect. */
export const WEBHOOK_SIGNATURE_HEADER = 'opentab-signature';
const WEBHOOK_TIMEOUT_MS = 10_000;

export function signWebhookBody(secret: string, body: string, timestamp_s: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp_s}.${body}`).digest('hex');
  return `t=${timestamp_s},v1=${mac}`;
}

export class WebhookSink implements BillingSink {
  readonly name: string;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly now_ms: () => number = Date.now,
  ) {
    this.name = `webhook:${url}`;
  }

  async deliver(record: BillingRecord): Promise<void> {
    const body = JSON.stringify(record);
    const answer = await nodeHttpTransport({
      url: this.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'opentab-record-id': record.recordId,
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(this.secret, body, Math.floor(this.now_ms() / 1000)),
      },
      body,
      timeout_ms: WEBHOOK_TIMEOUT_MS,
    });
    if (answer.status < 200 || answer.status > 299) throw new Error(`webhook answered HTTP ${answer.status}`);
  }
}

export function createBillingSink(config: BillingSinkConfig): BillingSink {
  return config.kind === 'jsonl' ? new JsonlFileSink(config.path) : new WebhookSink(config.url, config.secret);
}
