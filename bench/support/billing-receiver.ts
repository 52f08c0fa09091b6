// The billing systems of both operators, reduced to what the benchmark needs: a webhook that
// accepts each billing record and tells the waiting lifecycle when both records of its tab (the
// customer side's withdrawal and the merchant side's deposit) have been delivered. A direct
// payment's two records (source 'direct-payment') carry the merchant's order id as their tabId,
// so they pair up the same way; nothing waits for them.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BillingRecord } from '../../operator-server/src/billing/billing-records';

const RECORDS_PER_TAB = 2;

export class BillingReceiver {
  private readonly arrived = new Map<string, Set<string>>();
  private readonly waiters = new Map<string, () => void>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<BillingReceiver> {
    let receiver: BillingReceiver | null = null;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        receiver?.accept(JSON.parse(Buffer.concat(chunks).toString('utf8')) as BillingRecord);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new BillingReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/billing`);
    return receiver;
  }

  /** Resolves once both billing records of the tab have arrived (at once if they already have). */
  settled(tabId: string): Promise<void> {
    if ((this.arrived.get(tabId)?.size ?? 0) >= RECORDS_PER_TAB) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(tabId, resolve));
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
