// Requests Node's HTTP parser cannot read (an unknown method, a malformed header, headers past the
// size limit, a request that never finished arriving) never reach a handler: Node answers them
// with a bare status line. This gives them the same JSON error body as every other refusal.

import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { OpentabError, type ErrorCode } from '@opentab/protocol';

function codeOf(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  return 'malformed_request';
}

/** The raw HTTP/1.1 answer for a request the parser refused; the connection closes after it. */
export function unreadableRequestAnswer(error: NodeJS.ErrnoException): string {
  const refusal = new OpentabError(codeOf(error));
  const body = JSON.stringify(refusal.toBody());
  // Closed after answering: once the parser has lost its place, where the next request starts is unknown.
  return [
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Bad Request'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

export function answerUnreadableRequests(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A connection reset by the client has nobody left to tell; one whose earlier response has
    // begun cannot take another answer in the middle of it (Node's own default checks the same).
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    socket.end(unreadableRequestAnswer(error));
  });
}
