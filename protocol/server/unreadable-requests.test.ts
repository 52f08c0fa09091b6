import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerUnreadableRequests, unreadableRequestAnswer } from './unreadable-requests';

let server: Server;
let port: number;
let handled: number;

beforeEach(async () => {
  handled = 0;
  server = createServer((_, response) => {
    handled++;
    response.end('{}');
  });
  answerUnreadableRequests(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends raw bytes and resolves with everything the server wrote before it closed the connection. */
function exchange(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(raw));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parse(answer: string): { status: number; connection: string | undefined; code: string; message: string } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const connection = lines
    .find((line) => line.toLowerCase().startsWith('connection:'))
    ?.split(':')[1]
    ?.trim();
  const { error } = JSON.parse(body) as { error: { code: string; message: string } };
  return { status: Number(lines[0]!.split(' ')[1]), connection, code: error.code, message: error.message };
}

describe('requests the HTTP parser cannot read', () => {
  it('get a JSON refusal with a code and a sentence, and the connection closes', async () => {
    for (const raw of [
      'FOO / HTTP/1.1\r\nhost: x\r\n\r\n',
      'GET / HTTP/1.1\r\nbad header\r\n\r\n',
      'GET / HTTP/1.1\r\nhost: a\u0001b\r\n\r\n',
      'GET /\u00e9 HTTP/1.1\r\n\r\n',
    ]) {
      const answer = parse(await exchange(raw));
      expect([JSON.stringify(raw), answer.status, answer.code, answer.connection]).toEqual([
        JSON.stringify(raw),
        400,
        'malformed_request',
        'close',
      ]);
      expect(answer.message).toMatch(/not well-formed HTTP/);
    }
    expect(handled).toBe(0);
  });

  it('headers beyond the size limit are 431 headers_too_large', async () => {
    const answer = parse(await exchange(`GET / HTTP/1.1\r\nhost: x\r\nx-padding: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect([answer.status, answer.code]).toEqual([431, 'headers_too_large']);
    expect(handled).toBe(0);
  });

  it('a request that never finished arriving is 408 request_timeout', () => {
    const answer = parse(
      unreadableRequestAnswer(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' })),
    );
    expect([answer.status, answer.code]).toEqual([408, 'request_timeout']);
  });

  it('leaves well-formed requests to the handler', async () => {
    expect((await exchange('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')).split('\r\n')[0]).toBe(
      'HTTP/1.1 200 OK',
    );
    expect(handled).toBe(1);
  });
});
