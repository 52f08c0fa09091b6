// The one HTTP edge of the operator and the merchant agent: find the route, limit the caller's
// rate, authorise, read the body within the route's limit and check it against the route's
// schema, run the handler, wait until what it wrote is on disk, answer JSON. Every refusal is a
// 4xx with a stable code and changes nothing; a 500 can only come from a defect, and is logged as
// one. What a role serves beside its API (documents, widget.js) and how its server is made stay
// with the role.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, RouteSpec } from '@opentab/protocol';
import { OpentabError, parseMessage } from '@opentab/protocol';
import { CROSS_ORIGIN_HEADERS } from './cors';
import { afterCommitFault, type AfterCommitFault } from './fault-injection';
import { sendError, sendJson, sendPreflight, sendRateLimited } from './http-io';
import { readMessageBody } from './message-body';
import { clientKeyOf, type RateLimiter } from './rate-limiter';
import type { RouteBinding, Router } from './router';

export interface HttpEdgeOptions {
  readonly router: Router;
  /** The limiter a route's callers share, or null: the route is not limited. */
  readonly limiterFor: (spec: RouteSpec) => RateLimiter | null;
  /** Whose request this is, for rate limiting (see client-address.ts). */
  readonly clientAddress: (request: IncomingMessage) => string | undefined;
  /** The time handlers are given (HandlerContext.now_ms). */
  readonly clock: Clock;
  /**
   * Resolves once every commit so far is on disk. Awaited before answering a POST: an answer is a
   * promise to the caller, and must survive a power cut of this machine.
   */
  readonly durable: () => Promise<void>;
  /**
   * Refuses a request before its body is read, by throwing (or rejecting with) an OpentabError
   * (e.g. a wrong admin token, or a staff session its store says has ended).
   */
  readonly authorize?: (spec: RouteSpec, request: IncomingMessage) => void | Promise<void>;
  /** A role's own errors that are refusals (e.g. the ledger's), as the protocol's; null: a defect. */
  readonly refusalOf?: (error: unknown) => OpentabError | null;
  /** Told of every defect: anything thrown that is not a refusal. */
  readonly onDefect: (error: unknown) => void;
  /** Headers on every answer of the edge. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Whether paths no route knows answer CORS (so a page's script can read the refusal). */
  readonly crossOriginUnknownPaths?: boolean;
  /** Where the edge is mounted; `target.path` is below it. The crash-test seam sees the full path. */
  readonly mountPath?: string;
  /** Crash tests only (fault-injection.ts). Default: the seam the environment asks for, if any. */
  readonly afterCommit?: AfterCommitFault;
}

/** What a request asks for: the path below the mount path, and the query. */
export interface EdgeTarget {
  readonly path: string;
  readonly query: URLSearchParams;
}

export type HttpEdge = (request: IncomingMessage, response: ServerResponse, target: EdgeTarget) => Promise<void>;

export function createHttpEdge(options: HttpEdgeOptions): HttpEdge {
  const afterCommit = options.afterCommit ?? afterCommitFault();
  const mountPath = options.mountPath ?? '';
  const commonHeaders = options.headers ?? {};
  const headersFor = (crossOrigin: boolean): Record<string, string> =>
    crossOrigin ? { ...CROSS_ORIGIN_HEADERS, ...commonHeaders } : { ...commonHeaders };

  async function answer(
    request: IncomingMessage,
    response: ServerResponse,
    target: EdgeTarget,
    headers: Record<string, string>,
    found: { binding: RouteBinding; params: Record<string, string> },
  ): Promise<void> {
    const { spec, handle, crossOrigin = false, readOnly = false } = found.binding;
    // Before the body is read or a signature verified: a refused request costs a map lookup.
    const decision = options.limiterFor(spec)?.take(clientKeyOf(options.clientAddress(request)));
    if (decision !== undefined && !decision.allowed) {
      const exposed: Record<string, string> = crossOrigin ? { 'access-control-expose-headers': 'retry-after' } : {};
      sendRateLimited(request, response, decision.retryAfter_ms, { ...headers, ...exposed });
      return;
    }
    try {
      await options.authorize?.(spec, request);
      let body: unknown;
      if (spec.request !== null) {
        const parsed = parseMessage(spec.request, await readMessageBody(request, spec.maxBody_bytes));
        if (!parsed.ok) throw parsed.error;
        body = parsed.value;
      } else {
        request.resume();
      }
      let query: unknown;
      if (spec.query !== undefined) {
        const parsed = parseMessage(spec.query, queryObject(target.query));
        if (!parsed.ok) throw parsed.error;
        query = parsed.value;
      }
      const result = await handle(body, { now_ms: options.clock.now_ms(), params: found.params, query, request });
      if (spec.method !== 'GET' && !readOnly) {
        await options.durable();
        afterCommit(mountPath + target.path);
      }
      sendJson(response, 200, result, headers);
    } catch (error) {
      const refusal = error instanceof OpentabError ? error : (options.refusalOf?.(error) ?? null);
      if (refusal === null) throw error;
      request.resume();
      // A refusal may have been stored too (message receipts keep them, a late purchase stops its
      // tab first), so it waits like an answer.
      if (spec.method !== 'GET') await options.durable();
      sendError(response, refusal, headers);
    }
  }

  return async (request, response, target) => {
    const method = request.method ?? 'GET';
    // HEAD is GET without the body (Node leaves the body out of a response to HEAD by itself).
    const match = options.router.match(method === 'HEAD' ? 'GET' : method, target.path);
    const crossOrigin =
      match.kind === 'found'
        ? match.binding.crossOrigin === true
        : match.kind === 'method_not_allowed'
          ? match.bindings.some((binding) => binding.crossOrigin === true)
          : options.crossOriginUnknownPaths === true;
    const headers = headersFor(crossOrigin);
    try {
      if (match.kind === 'not_found') {
        request.resume();
        const refusal = new OpentabError('not_found', `There is no endpoint ${method} ${mountPath}${target.path}.`);
        sendError(response, refusal, headers);
      } else if (match.kind === 'method_not_allowed') {
        request.resume();
        if (method === 'OPTIONS' && crossOrigin) return sendPreflight(response);
        const methods = match.bindings.map((binding) => binding.spec.method);
        const allow = [
          ...methods,
          ...(methods.includes('GET') ? ['HEAD'] : []),
          ...(crossOrigin ? ['OPTIONS'] : []),
        ].join(', ');
        sendError(response, new OpentabError('method_not_allowed'), { ...headers, allow });
      } else {
        await answer(request, response, target, headers, match);
      }
    } catch (error) {
      options.onDefect(error);
      // Nothing internal reaches the caller; an answer already under way can only be cut off.
      if (!response.headersSent) sendError(response, new OpentabError('internal_error'), headers);
      else response.destroy();
    }
  };
}

/**
 * The query as one value per name. A name given twice is refused rather than resolved: which of
 * `?peer=a&peer=b` was meant cannot be known, and an answer about the other one would look like
 * an answer.
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
