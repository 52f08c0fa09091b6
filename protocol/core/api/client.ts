// Typed calls of a RouteSpec: the request is sent as the schema's JSON, the answer is validated
// against the route's response schema before anyone sees it. The bytes travel over fetch unless
// the caller brings its own transport (servers use node:http, see protocol/server/).

import { isErrorCode, type ErrorCode } from '../errors';
import { parseMessage } from '../messages/validate';
import type { RequestOf, ResponseOf, RouteSpec } from './route';

export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

export type RemoteFailure =
  | { kind: 'unreachable'; message: string }
  | { kind: 'refused'; status: number; code: ErrorCode | 'unknown'; message: string }
  /** `code`: what the response schema found wrong, when the answer was JSON (e.g. weak_key for a key no one may trust). */
  | { kind: 'bad_response'; status: number; message: string; code?: ErrorCode };

/** A call that did not produce a valid answer; `failure` says whether to retry (unreachable) or not. */
export class RemoteCallError extends Error {
  constructor(readonly failure: RemoteFailure) {
    super(failure.message);
    this.name = 'RemoteCallError';
  }
}

/** The remote's own refusal code, when the call failed with one; null for any other failure. */
export function refusalCodeOf(error: unknown): ErrorCode | 'unknown' | null {
  return error instanceof RemoteCallError && error.failure.kind === 'refused' ? error.failure.code : null;
}

/** One HTTP request as a transport sees it. */
export interface HttpExchange {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly timeout_ms: number;
}

/** Everything callRoute reads of an answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/** Sends one exchange; rejects only when no answer arrived (network failure, timeout). */
export type HttpTransport = (exchange: HttpExchange) => Promise<HttpAnswer>;

export function fetchTransport(doFetch: typeof fetch = fetch): HttpTransport {
  return async (exchange) => {
    const response = await doFetch(exchange.url, {
      method: exchange.method,
      headers: exchange.headers,
      body: exchange.body,
      signal: AbortSignal.timeout(exchange.timeout_ms),
    });
    return { status: response.status, text: await response.text() };
  };
}

export interface CallOptions {
  readonly timeout_ms?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly pathParams?: Readonly<Record<string, string>>;
  /** The fetch of a fetch transport (the extension passes the browser's own). Ignored when `transport` is given. */
  readonly fetch?: typeof fetch;
  readonly transport?: HttpTransport;
}

export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

function fillPath(path: string, params: Readonly<Record<string, string>> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

export async function callRoute<R extends RouteSpec>(
  baseUrl: string,
  spec: R,
  body: RequestOf<R>,
  options: CallOptions = {},
): Promise<ResponseOf<R>> {
  const url = joinUrl(baseUrl, fillPath(spec.path, options.pathParams));
  const transport = options.transport ?? fetchTransport(options.fetch ?? fetch);
  let answer: HttpAnswer;
  try {
    answer = await transport({
      url,
      method: spec.method,
      headers: { ...(spec.method === 'POST' ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: spec.method === 'POST' ? JSON.stringify(body) : undefined,
      timeout_ms: options.timeout_ms ?? DEFAULT_CALL_TIMEOUT_MS,
    });
  } catch (error) {
    throw new RemoteCallError({ kind: 'unreachable', message: `${spec.method} ${url}: ${(error as Error).message}` });
  }
  const { status, text } = answer;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RemoteCallError({ kind: 'bad_response', status, message: `${url} answered ${status} with non-JSON` });
  }
  if (status < 200 || status > 299) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = isErrorCode(error?.code) ? error.code : 'unknown';
    const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
    throw new RemoteCallError({ kind: 'refused', status, code, message });
  }
  const parsed = parseMessage(spec.response, json);
  if (!parsed.ok) {
    const { code, details } = parsed.error;
    throw new RemoteCallError({
      kind: 'bad_response',
      status,
      code,
      message: `${url} answered with an invalid ${spec.summary} (${details.join('; ')})`,
    });
  }
  return parsed.value as ResponseOf<R>;
}
