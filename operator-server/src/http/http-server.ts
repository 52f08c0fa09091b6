// The operator's HTTP server: its documents (/, /openapi.json, /healthz), then the server kit's
// edge over its routes, with the operator's rate-limit classes, the admin token and the ledger's
// refusals. Plain http, or https when given a certificate.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { timingSafeEqual } from 'node:crypto';
import { OpentabError } from '@opentab/protocol';
import type { Clock, RouteAuth, RouteSpec } from '@opentab/protocol';
import { createHttpEdge, sendError, sendJson, type Router } from '@opentab/server-kit';
import { clientAddressOf, trustedProxySet } from '@opentab/server-kit';
import { answerUnreadableRequests } from '@opentab/server-kit';
import { RateLimiter } from '@opentab/server-kit';
import type { RateLimitConfig } from '../config/config';
import { isLedgerError } from '../ledger';
import type { Logger } from '../support/logger';
import { ledgerErrorToOpentab } from './ledger-errors';
import { ADMIN_TOKEN_ACTOR, noteActor } from '../staff/actor';
import { noteResponse } from '../staff/response-of';

export interface HttpServerOptions {
  readonly router: Router;
  readonly adminToken: string;
  /**
   * The staff member whose console session the request's cookie carries, or null without a
   * cookie; throws an OpentabError for a session that has ended. Admin routes take it as they
   * take the admin token.
   */
  readonly staffOf?: (request: IncomingMessage) => Promise<string | null>;
  readonly log: Logger;
  readonly clock: Clock;
  /**
   * Resolves once every commit so far is on disk. Awaited before answering anything but a GET:
   * an answer is a promise to the caller, and must survive a power cut of this machine.
   */
  readonly durable: () => Promise<void>;
  /** Extra GET routes outside the API (e.g. /openapi.json), answered as JSON. */
  readonly documents?: Readonly<Record<string, () => unknown>>;
  /** Requests per client address and class of route; see limiterFor. */
  readonly rateLimit: RateLimitConfig;
  /** PEM certificate chain and key: serve https. Absent: plain http (loopback, or behind a TLS proxy). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** The clock the rate limits refill by. Default: the monotonic performance.now(). */
  readonly rateLimitClock?: Clock;
  /**
   * Answers a GET outside the API (the console's files, /metrics) before any route is matched;
   * resolves true when it answered.
   */
  readonly pages?: (request: IncomingMessage, response: ServerResponse, pathname: string) => Promise<boolean>;
  /** Told of every request once its answer is sent (for /metrics). */
  readonly observe?: (observation: RequestObservation) => void;
}

export interface RequestObservation {
  readonly method: string;
  readonly pathname: string;
  readonly status: number;
  /** Measured on the monotonic clock, never the injected one. */
  readonly duration_ms: number;
}

interface RateLimiters {
  readonly customer: RateLimiter;
  readonly peer: RateLimiter;
}

/**
 * Which limit a route's callers share. Customers (and anyone unauthenticated) get the customer
 * limit. Peer operators and merchant agents call for all of their customers at once, so they get
 * their own, higher limit, which a customer's flood from the same address cannot use up. Admin
 * routes are not limited: the bearer token is compared in constant time before any other work, a
 * wrong one costs less than a bucket lookup, and the operator's own tools must never be locked
 * out by someone else's flood. The documents (/healthz, /openapi.json) are precomputed and free.
 */
function limiterFor(limiters: RateLimiters, auth: RouteAuth): RateLimiter | null {
  switch (auth) {
    case 'public':
    case 'customer-signature':
    case 'tab-signature':
    case 'arbiter-signature':
      return limiters.customer;
    case 'operator-signature':
    case 'merchant-signature':
      return limiters.peer;
    case 'admin-token':
      return null;
  }
}

export function createHttpServer(options: HttpServerOptions): Server | HttpsServer {
  const { customer, peer, maxClients } = options.rateLimit;
  const trustedProxies = trustedProxySet(options.rateLimit.trustedProxies);
  const limiters: RateLimiters = {
    customer: new RateLimiter({
      refill_per_s: customer.perClient_per_s,
      burst_tokens: customer.burst,
      maxKeys: maxClients,
      clock: options.rateLimitClock,
    }),
    peer: new RateLimiter({
      refill_per_s: peer.perClient_per_s,
      burst_tokens: peer.burst,
      maxKeys: maxClients,
      clock: options.rateLimitClock,
    }),
  };
  const edge = createHttpEdge({
    router: options.router,
    limiterFor: (spec) => limiterFor(limiters, spec.auth),
    clientAddress: (request) =>
      clientAddressOf(request.socket.remoteAddress, request.headers['x-forwarded-for'], trustedProxies),
    clock: options.clock,
    durable: options.durable,
    authorize: async (spec, request) => {
      if (spec.auth === 'admin-token') await authorizeAdmin(request, options.adminToken, options.staffOf);
    },
    refusalOf: (error) => (isLedgerError(error) ? ledgerErrorToOpentab(error) : null),
    onDefect: (error) => options.log.warn('http.defect', { error: (error as Error).stack ?? String(error) }),
  });
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    const url = URL.parse(request.url ?? '/', 'http://operator.invalid');
    if (url === null) {
      // Node passes an absolute-form target on as sent ("GET http://[ HTTP/1.1"); no endpoint has such a name.
      request.resume();
      sendError(response, new OpentabError('not_found', 'The request target is not a URL path.'));
      return;
    }
    if (options.observe !== undefined) observeRequest(options.observe, request, response);
    noteResponse(request, response);
    const method = request.method ?? 'GET';
    const document = method === 'GET' || method === 'HEAD' ? options.documents?.[url.pathname] : undefined;
    if (document !== undefined) {
      sendJson(response, 200, document());
      return;
    }
    void answer(request, response, url, method);
  };
  const answer = async (request: IncomingMessage, response: ServerResponse, url: URL, method: string) => {
    const isGet = method === 'GET' || method === 'HEAD';
    try {
      if (isGet && options.pages !== undefined && (await options.pages(request, response, url.pathname))) return;
    } catch (error) {
      options.log.warn('http.defect', { error: (error as Error).stack ?? String(error) });
      if (!response.headersSent) sendError(response, new OpentabError('internal_error'));
      else response.destroy();
      return;
    }
    await edge(request, response, { path: url.pathname, query: url.searchParams });
  };
  const server =
    options.tls === undefined
      ? createServer(listener)
      : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener);
  answerUnreadableRequests(server);
  // Slow-loris protection: a client gets this long to send its headers and body.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

function observeRequest(
  observe: (observation: RequestObservation) => void,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const started_ms = performance.now();
  response.once('finish', () => {
    const pathname = URL.parse(request.url ?? '/', 'http://operator.invalid')?.pathname ?? '';
    observe({
      method: request.method ?? 'GET',
      pathname,
      status: response.statusCode,
      duration_ms: performance.now() - started_ms,
    });
  });
}

/** The admin bearer token, compared in constant time. */
export function adminTokenMatches(request: IncomingMessage, expected: string): boolean {
  const header = request.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(expected);
  return presented.length === wanted.length && timingSafeEqual(presented, wanted);
}

/**
 * Lets an admin request through with the admin token or a live staff session, noting who sent it;
 * otherwise refuses it (unauthorized, or staff_session_expired for a session that ended).
 */
export async function authorizeAdmin(
  request: IncomingMessage,
  adminToken: string,
  staffOf: ((request: IncomingMessage) => Promise<string | null>) | undefined,
): Promise<void> {
  if (adminTokenMatches(request, adminToken)) return noteActor(request, ADMIN_TOKEN_ACTOR);
  const staff = (await staffOf?.(request)) ?? null;
  if (staff === null)
    throw new OpentabError('unauthorized', 'This endpoint needs the admin bearer token or a console login.');
  noteActor(request, staff);
}
