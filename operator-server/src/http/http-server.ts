// The operator's HTTP edge: match the route, limit the caller's rate, check the admin token
// where required, read and validate the body against the route's schema, run the handler,
// answer JSON. Every refusal is a 4xx with a stable code; a 500 can only come from a defect, and
// is logged as one.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { timingSafeEqual } from 'node:crypto';
import { OpentabError } from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import type { RouteAuth } from '@opentab/protocol';
import { readJsonBody, sendError, sendJson, sendRateLimited } from '@opentab/server-kit';
import { clientAddressOf, trustedProxySet } from '@opentab/server-kit';
import { answerUnreadableRequests } from '@opentab/server-kit';
import { afterCommitFault, type AfterCommitFault } from '@opentab/server-kit';
import { clientKeyOf, RateLimiter } from '@opentab/server-kit';
import type { RateLimitConfig } from '../config/config';
import { isLedgerError } from '../ledger';
import type { Logger } from '../support/logger';
import { ledgerErrorToOpentab } from './ledger-errors';
import type { Router } from './router';

export interface HttpEdgeOptions {
  readonly router: Router;
  readonly adminToken: string;
  readonly log: Logger;
  readonly now_ms: () => number;
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
  /** The clock the rate limits refill by, in ms. Default: the monotonic performance.now(). */
  readonly rateLimitNow_ms?: () => number;
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

export function createHttpServer(options: HttpEdgeOptions): Server | HttpsServer {
  const { customer, peer, maxClients } = options.rateLimit;
  const trustedProxies = trustedProxySet(options.rateLimit.trustedProxies);
  const limiters: RateLimiters = {
    customer: new RateLimiter({
      refill_per_s: customer.perClient_per_s,
      burst_tokens: customer.burst,
      maxKeys: maxClients,
      now_ms: options.rateLimitNow_ms,
    }),
    peer: new RateLimiter({
      refill_per_s: peer.perClient_per_s,
      burst_tokens: peer.burst,
      maxKeys: maxClients,
      now_ms: options.rateLimitNow_ms,
    }),
  };
  // Crash tests only (protocol/server/fault-injection.ts); a no-op unless its variable is set.
  const afterCommit = afterCommitFault();
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handleRequest(options, limiters, trustedProxies, afterCommit, request, response).catch((error: unknown) => {
      options.log.warn('http.defect', { error: (error as Error).stack ?? String(error) });
      if (!response.headersSent) sendError(response, new OpentabError('internal_error'));
      else response.destroy();
    });
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

function adminTokenMatches(request: IncomingMessage, expected: string): boolean {
  const header = request.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(expected);
  return presented.length === wanted.length && timingSafeEqual(presented, wanted);
}

async function handleRequest(
  options: HttpEdgeOptions,
  limiters: RateLimiters,
  trustedProxies: ReadonlySet<string>,
  afterCommit: AfterCommitFault,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = URL.parse(request.url ?? '/', 'http://operator.invalid');
  const method = request.method ?? 'GET';
  if (url === null) {
    // Node passes an absolute-form target on as sent ("GET http://[ HTTP/1.1"); no endpoint has such a name.
    request.resume();
    sendError(response, new OpentabError('not_found', 'The request target is not a URL path.'));
    return;
  }
  // HEAD is GET without the body (Node leaves the body out of a response to HEAD by itself).
  const routedMethod = method === 'HEAD' ? 'GET' : method;
  const document = routedMethod === 'GET' ? options.documents?.[url.pathname] : undefined;
  if (document !== undefined) {
    sendJson(response, 200, document());
    return;
  }
  const match = options.router.match(routedMethod, url.pathname);
  if (match.kind === 'not_found') {
    request.resume();
    sendError(response, new OpentabError('not_found', `There is no endpoint ${method} ${url.pathname}.`));
    return;
  }
  if (match.kind === 'method_not_allowed') {
    request.resume();
    const allowed = match.allowed.includes('GET') ? [...match.allowed, 'HEAD'] : match.allowed;
    sendError(response, new OpentabError('method_not_allowed'), { allow: allowed.join(', ') });
    return;
  }
  const { spec, handle } = match.binding;
  // Before the body is read or a signature verified: a refused request costs a map lookup.
  const client = clientAddressOf(request.socket.remoteAddress, request.headers['x-forwarded-for'], trustedProxies);
  const decision = limiterFor(limiters, spec.auth)?.take(clientKeyOf(client));
  if (decision !== undefined && !decision.allowed) {
    sendRateLimited(request, response, decision.retryAfter_ms);
    return;
  }
  try {
    if (spec.auth === 'admin-token' && !adminTokenMatches(request, options.adminToken)) {
      request.resume();
      throw new OpentabError('unauthorized', 'This endpoint needs the admin bearer token.');
    }
    let body: unknown;
    if (spec.request !== null) {
      const parsed = parseMessage(spec.request, await readJsonBody(request, spec.maxBody_bytes));
      if (!parsed.ok) throw parsed.error;
      body = parsed.value;
    } else {
      request.resume();
    }
    let query: unknown;
    if (spec.query !== undefined) {
      const parsed = parseMessage(spec.query, queryObject(url.searchParams));
      if (!parsed.ok) throw parsed.error;
      query = parsed.value;
    }
    const result = await handle(body, { now_ms: options.now_ms(), params: match.params, query, request });
    if (routedMethod !== 'GET') {
      await options.durable();
      afterCommit(url.pathname);
    }
    sendJson(response, 200, result);
  } catch (error) {
    const refusal = error instanceof OpentabError ? error : isLedgerError(error) ? ledgerErrorToOpentab(error) : null;
    if (refusal === null) throw error;
    // A refusal may have been stored too (message receipts keep them), so it waits like an answer.
    if (routedMethod !== 'GET') await options.durable();
    sendError(response, refusal);
  }
}

/**
 * The query as one value per name. A name given twice is refused rather than resolved: which of
 * `?peer=a&peer=b` an operator meant cannot be known, and a statement for the other peer would
 * look like an answer.
 */
function queryObject(params: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of params) {
    if (Object.hasOwn(query, name))
      throw new OpentabError('invalid_message', `The query names ${name} more than once.`, [
        `${name}: given more than once`,
      ]);
    query[name] = value;
  }
  return query;
}
