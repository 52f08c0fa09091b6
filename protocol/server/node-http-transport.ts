// Server-to-server calls over node:http(s) with keep-alive, instead of Node's fetch. On the
// 2-core benchmark machine a small JSON exchange over fetch costs ~380 µs of CPU (WHATWG streams,
// Request/Response objects, AbortSignal) against ~85 µs over node:http, and an operator makes
// several such calls for every tab. Node-only; browsers keep the fetch transport.

import { type ClientRequest, Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { HttpAnswer, HttpExchange, HttpTransport } from '@opentab/protocol';

/**
 * Idle sockets are dropped after this long: shorter than the 5 s keep-alive of Node servers
 * (the operators' and the agent's), so a request is not sent on a socket the server is closing.
 */
const IDLE_SOCKET_MS = 4_000;

const httpAgent = new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
const defaultHttpsAgent = new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });

export interface NodeHttpTransportOptions {
  /**
   * PEM certificates of certificate authorities trusted for https, besides Node's bundled Mozilla
   * roots: a private CA that signed the certificates of peers, operators or merchant agents.
   * Certificates are always verified; there is no way to switch that off.
   */
  readonly trustedCaCertificates?: readonly string[];
  /**
   * The host name the server's certificate must name, when it is not the URL's: a call to a
   * server's local address (127.0.0.1) that is known to the world, and certified, by its public name.
   */
  readonly serverName?: string;
}

function readAnswer(response: IncomingMessage): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () =>
      resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
    );
    response.on('error', reject);
  });
}

/** A transport over node:http(s); https verifies certificates against the bundled roots and `trustedCaCertificates`. */
export function createNodeHttpTransport(options: NodeHttpTransportOptions = {}): HttpTransport {
  const extraCas = options.trustedCaCertificates ?? [];
  // Node's `ca` replaces the bundled roots rather than adding to them, so they are passed along.
  const httpsAgent =
    extraCas.length === 0
      ? defaultHttpsAgent
      : new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS, ca: [...rootCertificates, ...extraCas] });
  return (exchange) => send(exchange, httpsAgent, options.serverName);
}

/** The transport of servers that trust only the bundled roots. */
export const nodeHttpTransport: HttpTransport = createNodeHttpTransport();

/**
 * A request that fails on a reused keep-alive socket before any answer (the server closed it just
 * as it was taken) is sent once more on another connection, as Node's documentation advises. That
 * is safe for every exchange here: each message is idempotent by its id, and the server saw none
 * of it or answered nothing.
 */
function isStaleSocketFailure(request: ClientRequest, error: NodeJS.ErrnoException): boolean {
  return request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
}

function send(exchange: HttpExchange, httpsAgent: HttpsAgent, serverName: string | undefined): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const url = new URL(exchange.url);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') {
      reject(new Error(`unsupported protocol ${url.protocol}`));
      return;
    }
    const headers: Record<string, string> = { ...exchange.headers };
    if (exchange.body !== undefined) headers['content-length'] = String(Buffer.byteLength(exchange.body));
    const options = { method: exchange.method, headers, agent: secure ? httpsAgent : httpAgent };
    let current: ClientRequest | null = null;
    // The whole exchange, not only an idle socket, must finish within the caller's timeout.
    const deadline = setTimeout(
      () => current?.destroy(new Error(`no answer within ${exchange.timeout_ms} ms`)),
      exchange.timeout_ms,
    );
    const settle =
      <T>(finish: (value: T) => void) =>
      (value: T) => {
        clearTimeout(deadline);
        finish(value);
      };
    const attempt = (mayRetry: boolean): void => {
      // Node checks the certificate against `servername` when one is given, and against the URL's host otherwise.
      const request = secure
        ? httpsRequest(url, serverName === undefined ? options : { ...options, servername: serverName })
        : httpRequest(url, options);
      current = request;
      let answered = false;
      request.on('response', (response) => {
        answered = true;
        readAnswer(response).then(settle(resolve), settle(reject));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (mayRetry && !answered && isStaleSocketFailure(request, error)) attempt(false);
        else settle(reject)(error);
      });
      request.end(exchange.body);
    };
    attempt(true);
  });
}
