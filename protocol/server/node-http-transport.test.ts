import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callRoute, RemoteCallError } from '../api/client';
import { OPERATOR_API } from '../api/operator-api';
import { nodeHttpTransport } from './node-http-transport';

let server: Server | null = null;

afterEach(async () => {
  await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
  server?.closeAllConnections();
  server = null;
});

/** A port that was free a moment ago and has nobody listening on it now. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('node:http transport', () => {
  it('sends method, headers and body, and hands back status and text', async () => {
    const seen: Array<{ method?: string; type?: string; length?: string; body: string }> = [];
    const url = await serve((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        seen.push({ method: request.method, type: request.headers['content-type'], length: request.headers['content-length'], body });
        response.writeHead(418, { 'content-type': 'application/json' }).end('{"é":1}');
      });
    });
    const answer = await nodeHttpTransport({ url: `${url}/x`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":"é"}', timeout_ms: 30_000 });
    expect(answer).toEqual({ status: 418, text: '{"é":1}' });
    expect(seen).toEqual([{ method: 'POST', type: 'application/json', length: String(Buffer.byteLength('{"a":"é"}')), body: '{"a":"é"}' }]);
  });

  it('gives up when no answer comes within the timeout', async () => {
    const url = await serve(() => {
      // never answers
    });
    await expect(nodeHttpTransport({ url, method: 'GET', headers: {}, body: undefined, timeout_ms: 100 })).rejects.toThrow(/100 ms/);
  });

  it('makes callRoute report refusals and unreachable peers as it does over fetch', async () => {
    const url = await serve((_, response) => {
      response.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'rate_table_expired', message: 'old' } }));
    });
    const refused = await callRoute(url, OPERATOR_API.rateTable, undefined, { transport: nodeHttpTransport }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RemoteCallError);
    expect((refused as RemoteCallError).failure).toEqual({ kind: 'refused', status: 409, code: 'rate_table_expired', message: 'old' });

    const unreachable = await callRoute(`http://127.0.0.1:${await closedPort()}`, OPERATOR_API.rateTable, undefined, { transport: nodeHttpTransport }).catch((error: unknown) => error);
    expect((unreachable as RemoteCallError).failure.kind).toBe('unreachable');
  });
});
