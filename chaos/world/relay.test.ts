// The relay between two parties: it passes messages on unchanged, and at the planned n-th message
// on a path it drops it, loses its answer, or kills a party at it, counting from when it is armed.
// To a party of two processes it sends each message to the next in turn, and to the other while
// nothing listens at one.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Relay } from './relay';
import { LINKS, type ProcessName } from './topology';

let upstream: Server;
let received: string[];
let relay: Relay;
let kills: Array<{ process: ProcessName; downtime_ms: number }>;

beforeEach(async () => {
  received = [];
  kills = [];
  upstream = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(`${request.method} ${request.url} ${body}`);
      const status = body === 'defect' ? 500 : 200;
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  relay = await Relay.start(LINKS['am->mta'], {
    kill: async (process, downtime_ms) => void kills.push({ process, downtime_ms }),
    note: () => undefined,
  });
  relay.forwardTo({ process: 'op-eu', port: (upstream.address() as AddressInfo).port });
});

afterEach(async () => {
  await relay.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const post = (path: string, body: string) =>
  fetch(`${relay.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

describe('relay', () => {
  it('passes messages and answers on unchanged, and notes a 500', async () => {
    const answer = await post('/v1/peer/initiation?x=1', 'hello');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ echo: 'hello' });
    expect(received).toEqual(['POST /v1/peer/initiation?x=1 hello']);
    expect((await post('/v1/peer/initiation', 'defect')).status).toBe(500);
    expect(relay.defects).toEqual(['am->mta /v1/peer/initiation: {"echo":"defect"}']);
  });

  it('drops the n-th message on a path, counting from when it was armed', async () => {
    await post('/v1/peer/initiation', 'before arming');
    relay.arm([{ link: 'am->mta', path: '/v1/peer/initiation', nth: 2, action: { kind: 'drop-request' } }]);
    await post('/v1/peer/initiation', 'first');
    await post('/v1/peer/customer-record', 'another path');
    await expect(post('/v1/peer/initiation', 'second')).rejects.toThrow();
    expect((await post('/v1/peer/initiation', 'third')).status).toBe(200);
    expect(received.map((line) => line.split(' ').slice(2).join(' '))).toEqual([
      'before arming',
      'first',
      'another path',
      'third',
    ]);
  });

  it('loses the answer of a message that was delivered', async () => {
    relay.arm([{ link: 'am->mta', path: '/v1/peer/initiation', nth: 1, action: { kind: 'lose-answer' } }]);
    await expect(post('/v1/peer/initiation', 'processed')).rejects.toThrow();
    expect(received).toEqual(['POST /v1/peer/initiation processed']);
  });

  it('kills the sender or the receiver at the message, before delivery or after the answer', async () => {
    relay.arm([
      {
        link: 'am->mta',
        path: '/v1/peer/initiation',
        nth: 1,
        action: { kind: 'kill-before-delivery', victim: 'destination', downtime_ms: 100 },
      },
      {
        link: 'am->mta',
        path: '/v1/peer/initiation',
        nth: 2,
        action: { kind: 'kill-after-answer', victim: 'source', downtime_ms: 200 },
      },
    ]);
    await expect(post('/v1/peer/initiation', 'never delivered')).rejects.toThrow();
    await expect(post('/v1/peer/initiation', 'answered into the void')).rejects.toThrow();
    expect(kills).toEqual([
      { process: 'op-eu', downtime_ms: 100 },
      { process: 'op-se', downtime_ms: 200 },
    ]);
    expect(received).toEqual(['POST /v1/peer/initiation answered into the void']);
    expect(relay.fired.map((fault) => fault.nth)).toEqual([1, 2]);
  });

  it('spreads messages over the processes of a party, and sends them all to one while the other is down', async () => {
    const twin = await echoServer();
    const port = (server: Server) => (server.address() as AddressInfo).port;
    const spreading = await Relay.start(
      LINKS['customer->am'],
      { kill: async (process, downtime_ms) => void kills.push({ process, downtime_ms }), note: () => undefined },
      [],
    );
    try {
      spreading.forwardTo({ process: 'op-se', port: port(upstream) }, { process: 'op-se-2', port: port(twin.server) });
      for (const body of ['a', 'b', 'c', 'd'])
        expect((await postTo(spreading, '/v1/customer/tabs', body)).status).toBe(200);
      expect(received.map(bodyOf)).toEqual(['a', 'c']);
      expect(twin.received.map(bodyOf)).toEqual(['b', 'd']);

      upstream.closeAllConnections();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
      for (const body of ['e', 'f', 'g']) expect((await postTo(spreading, '/v1/customer/tabs', body)).status).toBe(200);
      expect(twin.received.map(bodyOf)).toEqual(['b', 'd', 'e', 'f', 'g']);
      expect(spreading.served.map((served) => served.process)).toEqual([
        'op-se',
        'op-se-2',
        'op-se',
        'op-se-2',
        'op-se-2',
        'op-se-2',
        'op-se-2',
      ]);

      // A kill at a message to the party hits the process the message goes to.
      spreading.arm([
        {
          link: 'customer->am',
          path: '/v1/customer/tabs',
          nth: 1,
          action: { kind: 'kill-after-answer', victim: 'destination', downtime_ms: 300 },
        },
      ]);
      await expect(postTo(spreading, '/v1/customer/tabs', 'h')).rejects.toThrow();
      expect(kills).toEqual([{ process: 'op-se-2', downtime_ms: 300 }]);
      upstream = createServer();
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    } finally {
      await spreading.close();
      twin.server.closeAllConnections();
      await new Promise<void>((resolve) => twin.server.close(() => resolve()));
    }
  });
});

const bodyOf = (line: string) => line.split(' ').slice(2).join(' ');

function postTo(target: Relay, path: string, body: string) {
  return fetch(`${target.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
}

/** Another upstream that answers every message with 200 and notes it. */
async function echoServer(): Promise<{ server: Server; received: string[] }> {
  const received: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(`${request.method} ${request.url} ${body}`);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, received };
}
