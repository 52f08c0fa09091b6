// The agent's HTTP requests on plain node:http: widget.js, /openapi.json and /install, then the
// server kit's edge over the routes exactly as MERCHANT_AGENT_API declares them, CORS for the
// browser-facing ones. Any input gets either an answer or a 4xx refusal with a stable code, never
// a 500 and never a crash.

import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import type { Clock, MerchantDisputeDecision, RequestOf, ResponseOf, RouteSpec } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { bind, createHttpEdge, Router, type RouteBinding } from '@opentab/server-kit';
import { CROSS_ORIGIN_HEADERS, sendError, sendJson, sendPreflight } from '@opentab/server-kit';
import { clientKeyOf, RateLimiter, sendRateLimited } from '@opentab/server-kit';
import { DEFAULT_AGENT_RATE_LIMIT, type AgentLogger, type AgentRateLimitSettings } from '../config';
import type { TabService } from '../tab-service';
import { installPageHtml } from './install-page';
import { serveWidgetFile } from './widget-file';

export type AgentOperations = Pick<
  TabService,
  'info' | 'acceptTabInformation' | 'acceptTabCleared' | 'provideRecord' | 'purchase' | 'receipts' | 'terminate'
> & {
  /** The operator's decision on a disputed tab (dispute-decisions.ts). */
  acceptDisputeDecision(decision: MerchantDisputeDecision): Promise<{ received: true }>;
};

export interface AgentHttpOptions {
  readonly mountPath: string;
  readonly widgetFilePath: string;
  /** Where `/install` redirects; null: the agent's own install page (install-page.ts) is served there. */
  readonly extensionInstallUrl: string | null;
  /** The shop's name, as its install page calls it. */
  readonly displayName?: string;
  readonly logger: AgentLogger;
  /** The time route handlers are given. */
  readonly clock: Clock;
  /** Resolves once everything committed so far is on disk: no answer to a POST leaves before. */
  readonly durable: () => Promise<void>;
  /** Routes of the agent's extensions (extension.ts), served beside its own. */
  readonly extensionRoutes?: readonly AgentRoute[];
  /** Requests per client address; the defaults when absent. */
  readonly rateLimit?: AgentRateLimitSettings;
  /** Served at /openapi.json when given. */
  readonly openApiDocument?: unknown;
  /** The clock the rate limits refill by. Default: the monotonic performance.now(). */
  readonly rateLimitClock?: Clock;
  /** Refuses a request to a route before its body is read (the admin routes' logins). */
  readonly authorize?: (spec: RouteSpec, request: IncomingMessage) => void;
  /** Answers pages outside the JSON routes (the admin CSV export, the dashboard); resolves true when it answered. */
  readonly pages?: (
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: URLSearchParams,
  ) => Promise<boolean>;
  /** Secure delivery: the ciphertext file a GET of `path` streams, or null when the path names none. */
  readonly contentFile?: (path: string) => { readonly path: string; readonly size_bytes: number } | null;
}

/** Answers a request under the mount path and resolves true, or resolves false (touching nothing) for any
 * other path. */
export type AgentRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  url?: string,
) => Promise<boolean>;

/** One route under the mount path: its spec and how it is answered (see agentRoute). */
export type AgentRoute = RouteBinding;

const WIDGET_PATH = '/widget.js';
const INSTALL_PATH = '/install';
const OPENAPI_PATH = '/openapi.json';
const NO_SNIFF = { 'x-content-type-options': 'nosniff' } as const;

/** `crossOrigin`: called from browsers, so it answers CORS; `readOnly`: a POST that writes nothing, answered without waiting for the disk. */
export function agentRoute<R extends RouteSpec>(
  spec: R,
  crossOrigin: boolean,
  answer: (request: RequestOf<R>) => ResponseOf<R> | Promise<ResponseOf<R>>,
  readOnly = false,
): AgentRoute {
  return bind(spec, (request) => answer(request), { crossOrigin, readOnly });
}

/** The agent's own install page: a document of its own, so no page's script runs in it. */
function serveInstallPage(response: ServerResponse, method: string, html: Buffer): void {
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': html.byteLength,
    'cache-control': 'public, max-age=3600',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    ...NO_SNIFF,
  });
  response.end(method === 'HEAD' ? undefined : html);
}

export function createAgentRequestHandler(operations: AgentOperations, options: AgentHttpOptions): AgentRequestHandler {
  const installPage = Buffer.from(installPageHtml(options.displayName ?? 'this shop'), 'utf8');
  const api = MERCHANT_AGENT_API;
  const rateLimit = options.rateLimit ?? DEFAULT_AGENT_RATE_LIMIT;
  // The browser-facing routes share one limit; the MTA's routes (operator-signed) have their own,
  // higher one, which a customer's flood from the same address cannot use up. widget.js, /install
  // and CORS preflights are not limited: they are static answers, cheaper than the limiter.
  const limiters = {
    customer: new RateLimiter({
      ...rateLimit.customer,
      maxKeys: rateLimit.maxClients,
      clock: options.rateLimitClock,
    }),
    operator: new RateLimiter({
      ...rateLimit.operator,
      maxKeys: rateLimit.maxClients,
      clock: options.rateLimitClock,
    }),
  };
  const router = new Router([
    agentRoute(api.info, true, () => operations.info()),
    agentRoute(api.tabInformation, false, (information) => operations.acceptTabInformation(information)),
    agentRoute(api.tabCleared, false, (cleared) => operations.acceptTabCleared(cleared)),
    agentRoute(api.disputeDecision, false, (decision) => operations.acceptDisputeDecision(decision)),
    agentRoute(api.recordRequest, false, (request) => operations.provideRecord(request)),
    agentRoute(api.purchase, true, (purchase) => operations.purchase(purchase)),
    // Writes nothing, yet waits for the disk: the receipts it reads may belong to purchases
    // still waiting for their own sync, and a receipt handed out must survive a power cut.
    agentRoute(api.receipts, true, (request) => operations.receipts(request)),
    agentRoute(api.terminate, true, (terminate) => operations.terminate(terminate)),
    ...(options.extensionRoutes ?? []),
  ]);
  const onDefect = (error: unknown): void => {
    // Only a defect gets here; say so to the merchant's log, and nothing internal to the caller.
    options.logger.warn('request failed unexpectedly', error);
  };
  const edge = createHttpEdge({
    router,
    // The merchant's own admin routes are not limited: a login's token is compared before any other
    // work, and the merchant's dashboard must never be locked out by someone else's flood.
    limiterFor: (spec) =>
      spec.auth === 'admin-token' ? null : spec.auth === 'operator-signature' ? limiters.operator : limiters.customer,
    ...(options.authorize !== undefined ? { authorize: options.authorize } : {}),
    clientAddress: (request) => rateLimit.clientAddress(request),
    clock: options.clock,
    durable: options.durable,
    onDefect,
    headers: NO_SNIFF,
    // A page's script reads the refusal of a path it got wrong.
    crossOriginUnknownPaths: true,
    mountPath: options.mountPath,
  });

  /** Answers widget.js, /openapi.json and /install, or returns false for any other path. */
  async function answeredStatic(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<boolean> {
    if (options.pages !== undefined && (await options.pages(request, response, path, query))) return true;
    const method = request.method ?? 'GET';
    const isGet = method === 'GET' || method === 'HEAD';
    if (path === WIDGET_PATH) {
      if (method === 'OPTIONS') sendPreflight(response);
      else if (!isGet) refuseMethod(response, true);
      else await serveWidgetFile(request, response, options.widgetFilePath);
      return true;
    }
    // A precomputed document, like widget.js not limited: cheaper to send than to count.
    if (path === OPENAPI_PATH && options.openApiDocument !== undefined) {
      if (!isGet) refuseMethod(response, false);
      else sendJson(response, 200, options.openApiDocument, NO_SNIFF);
      return true;
    }
    if (path === INSTALL_PATH) {
      if (!isGet) refuseMethod(response, false);
      else if (options.extensionInstallUrl === null) serveInstallPage(response, method, installPage);
      else {
        response.writeHead(302, {
          location: options.extensionInstallUrl,
          'content-length': 0,
          'cache-control': 'no-cache',
        });
        response.end();
      }
      return true;
    }
    const content = options.contentFile?.(path) ?? null;
    if (content !== null) {
      if (method === 'OPTIONS') sendPreflight(response);
      else if (!isGet) refuseMethod(response, true);
      else {
        const decision = limiters.customer.take(clientKeyOf(rateLimit.clientAddress(request)));
        if (!decision.allowed) sendRateLimited(request, response, decision.retryAfter_ms, headersFor(true));
        else await streamContent(request, response, content);
      }
      return true;
    }
    return false;
  }

  return async (request, response, url = request.url ?? '/') => {
    const target = targetUnderMount(url, options.mountPath);
    if (target === null) return false;
    let answered: boolean;
    try {
      answered = await answeredStatic(request, response, target.path, target.query);
    } catch (error) {
      onDefect(error);
      if (!response.headersSent) sendError(response, new OpentabError('internal_error'), headersFor(true));
      else response.destroy();
      return true;
    }
    if (!answered) await edge(request, response, target);
    return true;
  };
}

/** The path relative to the mount point ("/info") and the query, or null when the URL is not under it. */
function targetUnderMount(url: string, mountPath: string): { path: string; query: URLSearchParams } | null {
  const [beforeFragment = ''] = url.split('#');
  const queryStart = beforeFragment.indexOf('?');
  const path = queryStart < 0 ? beforeFragment : beforeFragment.slice(0, queryStart);
  const query = new URLSearchParams(queryStart < 0 ? '' : beforeFragment.slice(queryStart + 1));
  if (path === mountPath) return { path: '/', query };
  return path.startsWith(`${mountPath}/`) ? { path: path.slice(mountPath.length), query } : null;
}

function headersFor(crossOrigin: boolean): Record<string, string> {
  return crossOrigin ? { ...CROSS_ORIGIN_HEADERS, ...NO_SNIFF } : { ...NO_SNIFF };
}

/** A prepared ciphertext, streamed from disk: never read whole, whatever its size. */
async function streamContent(
  request: IncomingMessage,
  response: ServerResponse,
  content: { readonly path: string; readonly size_bytes: number },
): Promise<void> {
  response.writeHead(200, {
    ...headersFor(true),
    'content-type': 'application/octet-stream',
    'content-length': content.size_bytes,
    // The same product is the same bytes for every buyer, and useless without its key.
    'cache-control': 'public, max-age=3600',
  });
  if (request.method === 'HEAD') return void response.end();
  await pipeline(createReadStream(content.path), response);
}

function refuseMethod(response: ServerResponse, crossOrigin: boolean): void {
  const allow = ['GET', 'HEAD', ...(crossOrigin ? ['OPTIONS'] : [])].join(', ');
  sendError(response, new OpentabError('method_not_allowed'), { ...headersFor(crossOrigin), allow });
}
