// The agent's HTTP edge on plain node:http: routes exactly as MERCHANT_AGENT_API declares them
// (plus widget.js), CORS for the browser-facing ones, and the rule that any input gets either
// an answer or a 4xx refusal with a stable code, never a 500 and never a crash.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import type { RequestOf, ResponseOf, RouteSpec } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import { sendError, sendJson, sendRateLimited } from '@opentab/server-kit';
import { clientKeyOf, RateLimiter } from '@opentab/server-kit';
import { afterCommitFault } from '@opentab/server-kit';
import { DEFAULT_AGENT_RATE_LIMIT, type AgentLogger, type AgentRateLimitSettings } from '../config';
import type { TabService } from '../tab-service';
import { readMessageBody } from './body';
import { CROSS_ORIGIN_HEADERS, PREFLIGHT_HEADERS } from './cors';
import { installPageHtml } from './install-page';
import { serveWidgetFile } from './widget-file';

export type AgentOperations = Pick<
  TabService,
  'info' | 'acceptTabInformation' | 'acceptTabCleared' | 'provideRecord' | 'purchase' | 'receipts' | 'terminate'
>;

export interface AgentHttpOptions {
  readonly mountPath: string;
  readonly widgetFilePath: string;
  /** Where `/install` redirects; null: the agent's own install page (install-page.ts) is served there. */
  readonly extensionInstallUrl: string | null;
  /** The shop's name, as its install page calls it. */
  readonly displayName?: string;
  readonly logger: AgentLogger;
  /** Resolves once everything committed so far is on disk: no answer to a POST leaves before. */
  readonly durable: () => Promise<void>;
  /** Routes of the agent's extensions (extension.ts), served beside its own. */
  readonly extensionRoutes?: readonly AgentRoute[];
  /** Requests per client address; the defaults when absent. */
  readonly rateLimit?: AgentRateLimitSettings;
  /** Served at /openapi.json when given. */
  readonly openApiDocument?: unknown;
  /** The clock the rate limits refill by, in ms. Default: the monotonic performance.now(). */
  readonly rateLimitNow_ms?: () => number;
}

/** Answers a request under the mount path and resolves true, or resolves false (touching nothing) for any
 * other path. */
export type AgentRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  url?: string,
) => Promise<boolean>;

/** One route under the mount path: its spec and how it is answered. */
export interface AgentRoute {
  readonly spec: RouteSpec;
  /** Called from browsers (pages or the extension), so it answers CORS. */
  readonly crossOrigin: boolean;
  /** A POST that writes nothing need not wait for the disk. */
  readonly readOnly: boolean;
  answer(request: unknown): unknown;
}

const WIDGET_PATH = '/widget.js';
const INSTALL_PATH = '/install';
const OPENAPI_PATH = '/openapi.json';
const NO_SNIFF = { 'x-content-type-options': 'nosniff' } as const;

/** `crossOrigin`: called from browsers, so it answers CORS; `readOnly`: a POST that writes nothing, answered without waiting for the disk. */
export function agentRoute<R extends RouteSpec>(
  spec: R,
  crossOrigin: boolean,
  answer: (request: RequestOf<R>) => ResponseOf<R>,
  readOnly = false,
): AgentRoute {
  // The request was validated against spec.request before this cast is reached.
  return { spec, crossOrigin, readOnly, answer: (request) => answer(request as RequestOf<R>) };
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
      now_ms: options.rateLimitNow_ms,
    }),
    operator: new RateLimiter({
      ...rateLimit.operator,
      maxKeys: rateLimit.maxClients,
      now_ms: options.rateLimitNow_ms,
    }),
  };
  // Crash tests only (protocol/server/fault-injection.ts); a no-op unless its variable is set.
  const afterCommit = afterCommitFault();
  const routes = new Map<string, AgentRoute>(
    [
      agentRoute(api.info, true, () => operations.info()),
      agentRoute(api.tabInformation, false, (information) => operations.acceptTabInformation(information)),
      agentRoute(api.tabCleared, false, (cleared) => operations.acceptTabCleared(cleared)),
      agentRoute(api.recordRequest, false, (request) => operations.provideRecord(request)),
      agentRoute(api.purchase, true, (purchase) => operations.purchase(purchase)),
      // Writes nothing, yet waits for the disk: the receipts it reads may belong to purchases
      // still waiting for their own sync, and a receipt handed out must survive a power cut.
      agentRoute(api.receipts, true, (request) => operations.receipts(request)),
      agentRoute(api.terminate, true, (terminate) => operations.terminate(terminate)),
      ...(options.extensionRoutes ?? []),
    ].map((route) => [route.spec.path, route]),
  );

  async function dispatch(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const method = request.method ?? 'GET';
    if (path === WIDGET_PATH) {
      if (method === 'OPTIONS') return preflight(response);
      if (method !== 'GET' && method !== 'HEAD') return refuseMethod(response, 'GET', true);
      return serveWidgetFile(request, response, options.widgetFilePath);
    }
    // A precomputed document, like widget.js not limited: cheaper to send than to count.
    if (path === OPENAPI_PATH && options.openApiDocument !== undefined) {
      if (method !== 'GET' && method !== 'HEAD') return refuseMethod(response, 'GET', false);
      return sendJson(response, 200, options.openApiDocument, NO_SNIFF);
    }
    if (path === INSTALL_PATH) {
      if (method !== 'GET' && method !== 'HEAD') return refuseMethod(response, 'GET', false);
      if (options.extensionInstallUrl === null) return serveInstallPage(response, method, installPage);
      response.writeHead(302, {
        location: options.extensionInstallUrl,
        'content-length': 0,
        'cache-control': 'no-cache',
      });
      return void response.end();
    }
    const route = routes.get(path);
    if (route === undefined) throw new OpentabError('not_found', `There is no Opentab agent endpoint ${path}.`);
    if (method === 'OPTIONS' && route.crossOrigin) return preflight(response);
    const acceptsMethod = method === route.spec.method || (method === 'HEAD' && route.spec.method === 'GET');
    if (!acceptsMethod) return refuseMethod(response, route.spec.method, route.crossOrigin);
    // Before the body is read or a signature verified: a refused request costs a map lookup.
    const limiter = route.spec.auth === 'operator-signature' ? limiters.operator : limiters.customer;
    const decision = limiter.take(clientKeyOf(rateLimit.clientAddress(request)));
    if (!decision.allowed) {
      const exposed: Record<string, string> = route.crossOrigin
        ? { 'access-control-expose-headers': 'retry-after' }
        : {};
      return sendRateLimited(request, response, decision.retryAfter_ms, {
        ...headersFor(route.crossOrigin),
        ...exposed,
      });
    }

    let message: unknown;
    if (route.spec.request !== null) {
      const parsed = parseMessage(route.spec.request, await readMessageBody(request, route.spec.maxBody_bytes));
      if (!parsed.ok) throw parsed.error;
      message = parsed.value;
    }
    const answer = route.answer(message);
    if (route.spec.method === 'POST' && !route.readOnly) {
      await options.durable();
      afterCommit(options.mountPath + path);
    }
    sendJson(response, 200, answer, headersFor(route.crossOrigin));
  }

  return async (request, response, url = request.url ?? '/') => {
    const path = pathUnderMount(url, options.mountPath);
    if (path === null) return false;
    const crossOrigin = path === WIDGET_PATH || routes.get(path)?.crossOrigin !== false;
    try {
      await dispatch(request, response, path);
    } catch (error) {
      // A refusal may follow a write (a purchase past the timeout stops its tab first).
      if (request.method === 'POST') await options.durable().catch(() => undefined);
      answerFailure(response, error, headersFor(crossOrigin), options.logger);
    }
    return true;
  };
}

/** The path relative to the mount point ("/info"), or null when the URL is not under it. */
function pathUnderMount(url: string, mountPath: string): string | null {
  const queryStart = url.search(/[?#]/);
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  if (path === mountPath) return '/';
  return path.startsWith(`${mountPath}/`) ? path.slice(mountPath.length) : null;
}

function headersFor(crossOrigin: boolean): Record<string, string> {
  return crossOrigin ? { ...CROSS_ORIGIN_HEADERS, ...NO_SNIFF } : { ...NO_SNIFF };
}

function preflight(response: ServerResponse): void {
  response.writeHead(204, { ...PREFLIGHT_HEADERS, 'content-length': 0 });
  response.end();
}

function refuseMethod(response: ServerResponse, allowed: string, crossOrigin: boolean): void {
  const allow = [allowed, ...(allowed === 'GET' ? ['HEAD'] : []), ...(crossOrigin ? ['OPTIONS'] : [])].join(', ');
  sendError(response, new OpentabError('method_not_allowed'), { ...headersFor(crossOrigin), allow });
}

function answerFailure(
  response: ServerResponse,
  error: unknown,
  headers: Record<string, string>,
  logger: AgentLogger,
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof OpentabError) return sendError(response, error, headers);
  // Only a defect gets here; say so to the merchant's log, and nothing internal to the caller.
  logger.warn('request failed unexpectedly', error);
  sendError(response, new OpentabError('internal_error'), headers);
}
