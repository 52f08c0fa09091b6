// A message receiver on 127.0.0.1 for the outbox's tests: it keeps the ids it was sent, in order,
// and answers 503 while it is told to fail.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutboxSender } from '../outbox-delivery';
import type { OutboxTableEntry } from '../sqlite-outbox';

/** A receiver that keeps what it got by id, and answers 503 while it is told to fail. */
export async function startReceiver() {
  const received: string[] = [];
  let failing = false;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (failing) {
        response.writeHead(503).end('down for maintenance');
        return;
      }
      received.push((JSON.parse(body) as { id: string }).id);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    received,
    fail: (on: boolean) => void (failing = on),
    send: (async (entry) => {
      const answer = await fetch(url, { method: 'POST', body: JSON.stringify(entry.payload) });
      if (answer.status !== 204) return { kind: 'failed', error: `receiver answered ${answer.status}` };
      return { kind: 'delivered', receipt: undefined };
    }) satisfies OutboxSender<OutboxTableEntry>,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
