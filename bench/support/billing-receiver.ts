// The billing systems of both operators, reduced to what the benchmark needs: a webhook that
// accepts each billing record and tells the waiting lifecycle when both records of its tab (the
// customer side's withdrawal and the merchant side's deposit) have been delivered. A direct
// payment's two records (source 'direct-payment') carry the merchant's order id as their tabId,
// so they pair up the same way; nothing waits for them.
//
// As a bank's billing system would, it checks every delivery's signature (the HMAC header under
// the webhook secret the operators were given) and every body against the record schema, and
// refuses (4xx, nothing counted) one that is unsigned, forged, stale or not a billing record;
// `refused` keeps what it refused.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BillingRecord } from '@opentab/operator-server';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '@opentab/operator-server';
import { parseMessage } from '@opentab/protocol';

const RECORDS_PER_TAB = 2;

/** What the receiver refused, and why (the schema's issues). */
export interface RefusedBody {
  readonly body: string;
  readonly problems: readonly string[];
}

export class BillingReceiver {
  private readonly arrived = new Map<string, Set<string>>();
  private readonly waiters = new Map<string, () => void>();
  /** Bodies answered 4xx; a benchmark run that refuses any has a defect in the operators' records. */
  readonly refused: RefusedBody[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly secret: string,
  ) {}

  /** `secret`: the webhook secret in the operators' billing sink configuration. */
  static async start(secret: string): Promise<BillingReceiver> {
    let receiver: BillingReceiver | null = null;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const signature = request.headers[WEBHOOK_SIGNATURE_HEADER];
        const { status, problems } = receiver?.answer(
          request.method,
          typeof signature === 'string' ? signature : undefined,
          Buffer.concat(chunks).toString('utf8'),
        ) ?? { status: 503, problems: ['not started'] };
        if (problems.length === 0) response.writeHead(status).end();
        else response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ problems }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new BillingReceiver(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/billing`,
      secret,
    );
    return receiver;
  }

  /** Resolves once both billing records of the tab have arrived (at once if they already have). */
  settled(tabId: string): Promise<void> {
    if ((this.arrived.get(tabId)?.size ?? 0) >= RECORDS_PER_TAB) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(tabId, resolve));
  }

  /** 204 once the body is a signed billing record (counted); else 4xx with the problems, and nothing is counted. */
  private answer(
    method: string | undefined,
    signature: string | undefined,
    body: string,
  ): { status: number; problems: readonly string[] } {
    const refuse = (status: number, problems: readonly string[]) => {
      this.refused.push({ body, problems });
      return { status, problems };
    };
    if (method !== 'POST') return refuse(405, [`only POST, not ${method}`]);
    if (!verifyWebhookSignature(this.secret, body, signature, Math.floor(Date.now() / 1000))) {
      return refuse(401, [
        `${WEBHOOK_SIGNATURE_HEADER}: missing, stale, or not this body's MAC under the webhook secret`,
      ]);
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return refuse(400, ['(body): not JSON']);
    }
    const parsed = parseMessage(BillingRecord, json);
    if (!parsed.ok) return refuse(400, parsed.error.details.length > 0 ? parsed.error.details : [parsed.error.code]);
    this.accept(parsed.value);
    return { status: 204, problems: [] };
  }

  private accept(record: BillingRecord): void {
    // Delivery is at least once: a repeated record must not count twice.
    const records = this.arrived.get(record.tabId) ?? new Set<string>();
    records.add(record.recordId);
    this.arrived.set(record.tabId, records);
    if (records.size >= RECORDS_PER_TAB) {
      this.waiters.get(record.tabId)?.();
      this.waiters.delete(record.tabId);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
