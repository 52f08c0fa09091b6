import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callRoute, RemoteCallError } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import { createTestCa, issueServerCertificate } from '@opentab/test-kit';
import { createNodeHttpTransport, nodeHttpTransport } from './node-http-transport';

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
        seen.push({
          method: request.method,
          type: request.headers['content-type'],
          length: request.headers['content-length'],
          body,
        });
        response.writeHead(418, { 'content-type': 'application/json' }).end('{"é":1}');
      });
    });
    const answer = await nodeHttpTransport({
      url: `${url}/x`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":"é"}',
      timeout_ms: 30_000,
    });
    expect(answer).toEqual({ status: 418, text: '{"é":1}' });
    expect(seen).toEqual([
      { method: 'POST', type: 'application/json', length: String(Buffer.byteLength('{"a":"é"}')), body: '{"a":"é"}' },
    ]);
  });

  it('sends a request again on a new connection when the kept-alive one is reset before any answer', async () => {
    const sockets = new Set<unknown>();
    let received = 0;
    const url = await serve((request, response) => {
      received++;
      const reused = sockets.has(request.socket);
      sockets.add(request.socket);
      // The server closes the idle connection just as the second request arrives on it.
      if (reused) request.socket.destroy();
      else response.writeHead(200, { 'content-type': 'application/json' }).end(`{"n":${received}}`);
    });
    const post = () =>
      nodeHttpTransport({ url, method: 'POST', headers: {}, body: '{"id":"m-1"}', timeout_ms: 30_000 });
    expect(await post()).toEqual({ status: 200, text: '{"n":1}' });
    expect(await post()).toEqual({ status: 200, text: '{"n":3}' });
    expect(received).toBe(3);
  });

  it('does not send again when an answer breaks off after its headers', async () => {
    const sockets = new Set<unknown>();
    let received = 0;
    const url = await serve((request, response) => {
      received++;
      const reused = sockets.has(request.socket);
      sockets.add(request.socket);
      if (!reused) return void response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.flushHeaders();
      request.socket.end();
    });
    const post = () => nodeHttpTransport({ url, method: 'POST', headers: {}, body: '{}', timeout_ms: 30_000 });
    await post();
    await expect(post()).rejects.toThrow();
    expect(received).toBe(2);
  });

  it('does not send again when a new connection is reset: the peer is unreachable', async () => {
    let received = 0;
    const url = await serve((request) => {
      received++;
      request.socket.destroy();
    });
    await expect(
      nodeHttpTransport({ url, method: 'POST', headers: {}, body: '{}', timeout_ms: 30_000 }),
    ).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(received).toBe(1);
  });

  it('gives up when no answer comes within the timeout', async () => {
    const url = await serve(() => {
      // never answers
    });
    await expect(
      nodeHttpTransport({ url, method: 'GET', headers: {}, body: undefined, timeout_ms: 100 }),
    ).rejects.toThrow(/100 ms/);
  });

  it('makes callRoute report refusals and unreachable peers as it does over fetch', async () => {
    const url = await serve((_, response) => {
      response
        .writeHead(409, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'rate_table_expired', message: 'old' } }));
    });
    const refused = await callRoute(url, OPERATOR_API.rateTable, undefined, { transport: nodeHttpTransport }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RemoteCallError);
    expect((refused as RemoteCallError).failure).toEqual({
      kind: 'refused',
      status: 409,
      code: 'rate_table_expired',
      message: 'old',
    });

    const unreachable = await callRoute(`http://127.0.0.1:${await closedPort()}`, OPERATOR_API.rateTable, undefined, {
      transport: nodeHttpTransport,
    }).catch((error: unknown) => error);
    expect((unreachable as RemoteCallError).failure.kind).toBe('unreachable');
  });
});

describe('node:https transport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opentab-transport-tls-'));
  const ca = createTestCa(join(dir, 'ca'));
  const otherCa = createTestCa(join(dir, 'other-ca'), 'Someone else');
  const certificate = issueServerCertificate(ca, join(dir, 'server.pem'), join(dir, 'server.key'));

  async function serveTls(): Promise<string> {
    server = createHttpsServer({ cert: certificate.certificatePem, key: certificate.keyPem }, (_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"over":"tls"}');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('reaches a server whose certificate a trusted CA signed', async () => {
    const url = await serveTls();
    const transport = createNodeHttpTransport({ trustedCaCertificates: [otherCa.certificatePem, ca.certificatePem] });
    expect(await transport({ url, method: 'GET', headers: {}, body: undefined, timeout_ms: 5_000 })).toEqual({
      status: 200,
      text: '{"over":"tls"}',
    });
  });

  it('refuses a server certificate no trusted CA signed, sending nothing', async () => {
    const url = await serveTls();
    await expect(
      nodeHttpTransport({ url, method: 'GET', headers: {}, body: undefined, timeout_ms: 5_000 }),
    ).rejects.toThrow(/certificate/);
    const strangers = createNodeHttpTransport({ trustedCaCertificates: [otherCa.certificatePem] });
    await expect(strangers({ url, method: 'GET', headers: {}, body: undefined, timeout_ms: 5_000 })).rejects.toThrow(
      /certificate/,
    );
  });

  it('checks the certificate against another name when told to, for a local call to a server known by its public name', async () => {
    const url = await serveTls();
    const asLocalhost = createNodeHttpTransport({
      trustedCaCertificates: [ca.certificatePem],
      serverName: 'localhost',
    });
    expect((await asLocalhost({ url, method: 'GET', headers: {}, body: undefined, timeout_ms: 5_000 })).status).toBe(
      200,
    );
    const asElsewhere = createNodeHttpTransport({
      trustedCaCertificates: [ca.certificatePem],
      serverName: 'op.example',
    });
    await expect(asElsewhere({ url, method: 'GET', headers: {}, body: undefined, timeout_ms: 5_000 })).rejects.toThrow(
      /op\.example/,
    );
  });

  it('checks that the certificate names the host', async () => {
    const url = (await serveTls()).replace('127.0.0.1', '127.0.0.2');
    const transport = createNodeHttpTransport({ trustedCaCertificates: [ca.certificatePem] });
    await expect(transport({ url, method: 'GET', headers: {}, body: undefined, timeout_ms: 5_000 })).rejects.toThrow(
      /altnames|127\.0\.0\.2|connect/i,
    );
  });
});
