// No answer to a POST leaves the agent before what it answers about is on disk (group commit):
// the handler waits for `durable()` after the operation and before writing the response.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Receipt } from '@opentab/protocol';
import { eventually } from '@opentab/test-kit/merchant-agent';
import { createAgentRequestHandler, type AgentOperations } from './handler';

let server: Server | null = null;

afterEach(() => {
  server?.close();
  server?.closeAllConnections();
  server = null;
});

const receipt = { payload: { type: 'receipt' }, kid: 'k', sig: 's' } as unknown as Receipt;
const operations: AgentOperations = {
  info: () => ({
    merchantId: 'news',
    operatorId: 'op-eu',
    displayName: 'News',
    currency: 'EUR',
    catalogue: [],
    chainUnit: { currency: 'EUR', value: '0.01' },
  }),
  acceptTabInformation: () => {
    throw new Error('not used');
  },
  acceptTabCleared: async () => ({ received: true }),
  acceptDisputeDecision: async () => ({ received: true }),
  provideRecord: () => {
    throw new Error('not used');
  },
  purchase: async () => receipt,
  receipts: async (request) => ({
    tabId: request.payload.tabId,
    receipts: [{ receipt, chainLink: 'A'.repeat(43) }],
    more: false,
  }),
  terminate: () => {
    throw new Error('not used');
  },
};
const purchase = {
  type: 'purchase',
  id: '0'.repeat(32),
  tabId: `tab_${'1'.repeat(24)}`,
  seq: 1,
  itemId: 'article-1',
  price: { currency: 'EUR', value: '0.05' },
  chainIndex: 5,
  chainLink: 'A'.repeat(43),
  listKey: 'A'.repeat(43),
};

async function serveWith(durable: () => Promise<void>): Promise<string> {
  const handler = createAgentRequestHandler(operations, {
    mountPath: '/opentab',
    widgetFilePath: '/nonexistent',
    extensionInstallUrl: null,
    logger: { warn: () => {} },
    clock: systemClock,
    durable,
  });
  server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/opentab`;
}

describe('answers wait for durability', () => {
  /** Posts `body` to `path`; the answer must wait for the one sync the request asks for, and comes once the test lets the sync finish. */
  async function answeredAfterSync(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    let release = () => {};
    const synced = new Promise<void>((resolve) => (release = resolve));
    let durableCalls = 0;
    const url = await serveWith(() => {
      durableCalls++;
      return synced;
    });
    let answered = false;
    const answer = fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (response) => {
      answered = true;
      return { status: response.status, body: (await response.json()) as unknown };
    });
    await eventually(() => durableCalls > 0);
    // A later exchange (a read, which does not wait for the disk) comes back; the POST's answer has not.
    expect((await fetch(`${url}/info`)).status).toBe(200);
    expect(durableCalls).toBe(1);
    expect(answered).toBe(false);
    release();
    return answer;
  }

  it('holds a receipt back until the disk has it', async () => {
    await expect(answeredAfterSync('/purchase', purchase)).resolves.toEqual({ status: 200, body: receipt });
  });

  it('holds receipts read back until the disk has them: they may be of purchases whose own sync is still under way', async () => {
    const request = {
      payload: {
        type: 'receipts-request',
        id: '2'.repeat(32),
        iat: new Date().toISOString(),
        tabId: purchase.tabId,
        afterSeq: 0,
      },
      kid: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', // a sound key (RFC 8032 TEST 1's); the signature is never checked here
      sig: 'A'.repeat(86),
    };
    await expect(answeredAfterSync('/receipts', request)).resolves.toMatchObject({
      status: 200,
      body: { tabId: purchase.tabId, receipts: [{ receipt }], more: false },
    });
  });

  it('answers a failed sync with a 500, never with the receipt', async () => {
    const url = await serveWith(() => Promise.reject(new Error('EIO')));
    const response = await fetch(`${url}/purchase`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(purchase),
    });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('internal_error');
  });

  it('serves reads without waiting for the disk', async () => {
    const url = await serveWith(() => new Promise(() => {}));
    const response = await fetch(`${url}/info`);
    expect(response.status).toBe(200);
  });
});
