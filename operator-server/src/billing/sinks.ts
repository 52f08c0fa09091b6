// Billing sinks: where billing records leave the operator. The interface is the seam to a real
// bank's billing system; two sinks are built in: an append-only JSONL file and a signed webhook.
// Both check the record against its schema before it leaves: an invalid record is a defect of the
// operator, so it stays in the outbox (delivery throws: the row keeps the error and is retried) rather than
// reaching a bank. Rows queued before `source` existed leave as tab records, with `source: 'tab'`.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { systemClock, type Clock, type HttpTransport } from '@opentab/protocol';
import { nodeHttpTransport } from '@opentab/server-kit';
import { parseMessage } from '@opentab/protocol';
import type { BillingSinkConfig } from '../config/config';
import { BillingRecord } from './billing-records';

export interface BillingSink {
  readonly name: string;
  /** Resolves once the record is durably accepted; throws to have the outbox retry later. */
  deliver(record: BillingRecord): Promise<void>;
}

/** The record as it leaves (a missing `source` filled in), or throws: a sink never sends what a receiver would refuse. */
export function checkedBillingRecord(record: unknown): BillingRecord {
  const parsed = parseMessage(BillingRecord, record);
  if (parsed.ok) return parsed.value;
  const recordId =
    typeof record === 'object' && record !== null && 'recordId' in record ? String(record.recordId) : '(no record id)';
  throw new Error(`billing record ${recordId} is invalid and was not delivered: ${parsed.error.details.join('; ')}`);
}

/**
 * Appends each record as one JSON line, once per record id. The outbox delivers at least once: a
 * stop after the append and before the delivery is marked sends the record again, so the sink, as
 * any receiver, deduplicates on the record id. The ids already in the file are read at the first
 * delivery; an append is one write, so a stop leaves whole lines only.
 */
export class JsonlFileSink implements BillingSink {
  readonly name: string;
  private written: Promise<Set<string>> | null = null;

  constructor(private readonly path: string) {
    this.name = `jsonl:${path}`;
  }

  async deliver(record: BillingRecord): Promise<void> {
    const line = JSON.stringify(checkedBillingRecord(record));
    // A file that cannot be read now is read again at the next delivery.
    const written = await (this.written ??= this.recordIdsInFile().catch((error: unknown) => {
      this.written = null;
      throw error;
    }));
    if (written.has(record.recordId)) return;
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, `${line}\n`, { encoding: 'utf8', flush: true });
    written.add(record.recordId);
  }

  private async recordIdsInFile(): Promise<Set<string>> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const ids = new Set<string>();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const recordId = (JSON.parse(line) as { recordId?: unknown }).recordId;
      if (typeof recordId === 'string') ids.add(recordId);
    }
    return ids;
  }
}

/**
 * The records of a file JsonlFileSink wrote, each checked against the schema (a receiver's view);
 * throws on a line that is not a billing record, naming the file's line and what is wrong.
 */
export function parseBillingJsonl(text: string, fileName: string): BillingRecord[] {
  return text.split('\n').flatMap((line, index) => {
    if (line.trim() === '') return [];
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new Error(`${fileName}:${index + 1}: not JSON`);
    }
    const parsed = parseMessage(BillingRecord, json);
    if (!parsed.ok)
      throw new Error(`${fileName}:${index + 1}: not a billing record: ${parsed.error.details.join('; ')}`);
    return [parsed.value];
  });
}

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as receivers of signed webhooks expect. */
export const WEBHOOK_SIGNATURE_HEADER = 'opentab-signature';
const WEBHOOK_TIMEOUT_MS = 10_000;

/** How far a receiver lets a signature's time stamp lie from its own clock, by default. */
export const WEBHOOK_TOLERANCE_S = 300;

function webhookMac(secret: string, body: string, timestamp_s: number): Buffer {
  return createHmac('sha256', secret).update(`${timestamp_s}.${body}`).digest();
}

export function signWebhookBody(secret: string, body: string, timestamp_s: number): string {
  return `t=${timestamp_s},v1=${webhookMac(secret, body, timestamp_s).toString('hex')}`;
}

/**
 * The receiver's side of signWebhookBody: true when `header` carries a v1 MAC of exactly this
 * body under `secret`, stamped within `tolerance_s` of `now_s` (so a recorded delivery cannot be
 * replayed later). The body must be the raw bytes as received, before any parsing.
 */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | undefined,
  now_s: number,
  tolerance_s = WEBHOOK_TOLERANCE_S,
): boolean {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (match === null) return false;
  const timestamp_s = Number(match[1]);
  if (Math.abs(now_s - timestamp_s) > tolerance_s) return false;
  return timingSafeEqual(Buffer.from(match[2]!, 'hex'), webhookMac(secret, body, timestamp_s));
}

export class WebhookSink implements BillingSink {
  readonly name: string;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly clock: Clock = systemClock,
    private readonly transport: HttpTransport = nodeHttpTransport,
  ) {
    this.name = `webhook:${url}`;
  }

  async deliver(record: BillingRecord): Promise<void> {
    const body = JSON.stringify(checkedBillingRecord(record));
    const answer = await this.transport({
      url: this.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'opentab-record-id': record.recordId,
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(this.secret, body, Math.floor(this.clock.now_ms() / 1000)),
      },
      body,
      timeout_ms: WEBHOOK_TIMEOUT_MS,
    });
    if (answer.status < 200 || answer.status > 299) throw new Error(`webhook answered HTTP ${answer.status}`);
  }
}

/** `transport` carries webhook calls (it trusts the operator's configured CAs). */
export function createBillingSink(config: BillingSinkConfig, transport: HttpTransport): BillingSink {
  return config.kind === 'jsonl'
    ? new JsonlFileSink(config.path)
    : new WebhookSink(config.url, config.secret, systemClock, transport);
}
