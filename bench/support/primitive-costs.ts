// What the protocol's primitives cost in CPU on this machine, measured in this process right
// after a case ran: one HTTP exchange over node:http with keep-alive (client and server both here,
// so the CPU of both ends is counted, as the servers' CPU meter counts it), one envelope signed and
// one verified (RFC 8785 JSON + Ed25519, node:crypto), with messages the size of the real ones.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64url } from '@opentab/protocol';
import { seal, signerFromSecretKey, verifyEnvelope } from '@opentab/protocol';
import { nodeHttpTransport } from '@opentab/server-kit';
import { ownCpu_ms } from './cpu-time';
import type { PrimitiveCosts } from './lifecycle-work';

/** Signed messages of a lifecycle are 1–4 KB (envelopes carrying certificates); this is in that range. */
const MESSAGE_BYTES = 1_500;
const HTTP_EXCHANGES = 3_000;
const SIGNATURES = 2_000;

function representativePayload(index: number) {
  return {
    type: 'bench-message',
    seq: index,
    tabId: 'tab_0123456789abcdef01234567',
    padding: 'x'.repeat(MESSAGE_BYTES - 200),
  };
}

async function cpuPerOperation_us(count: number, operation: (index: number) => Promise<void> | void): Promise<number> {
  for (let i = 0; i < count; i++) await operation(i); // warm-up as long as the measurement: JIT, sockets, key objects
  const start_ms = ownCpu_ms();
  for (let i = 0; i < count; i++) await operation(i);
  return ((ownCpu_ms() - start_ms) * 1000) / count;
}

async function httpExchangeCost_us(): Promise<number> {
  const answer = JSON.stringify(representativePayload(0));
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const body = JSON.stringify(representativePayload(1));
  try {
    return await cpuPerOperation_us(HTTP_EXCHANGES, async () => {
      const reply = await nodeHttpTransport({
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        timeout_ms: 5_000,
      });
      JSON.parse(reply.text);
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function measurePrimitiveCosts(): Promise<PrimitiveCosts> {
  const signer = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
  const publicKey = fromBase64url(signer.kid);
  const envelopes = Array.from({ length: 64 }, (_, i) => seal(nodeCrypto, signer, representativePayload(i)));
  const sign_us = await cpuPerOperation_us(SIGNATURES, (i) => {
    seal(nodeCrypto, signer, representativePayload(i));
  });
  const verify_us = await cpuPerOperation_us(SIGNATURES, (i) => {
    if (!verifyEnvelope(nodeCrypto, envelopes[i % envelopes.length]!, publicKey))
      throw new Error('a genuine envelope did not verify');
  });
  return { httpExchange_us: await httpExchangeCost_us(), sign_us, verify_us };
}
