// Typed calls of a RouteSpec over fetch: the request is sent as the schema's JSON, the answer is
// validated against the route's response schema before anyone sees it.

import * as v from 'valibot';
import { isErrorCode, type ErrorCode } from '../errors';
import type { RequestOf, ResponseOf, RouteSpec } from './route';

export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

export type RemoteFailure =
  | { kind: 'unreachable'; message: string }
  | { kind: 'refused'; status: number; code: ErrorCode | 'unknown'; message: string }
  | { kind: 'bad_response'; status: number; message: string };

/** A call that did not produce a valid answer; `failure` says whether to retry (unreachable) or not. */
export class RemoteCallError extends Error {
  constructor(readonly failure: RemoteFailure) {
    super(failure.message);
    this.name = 'RemoteCallError';
  }
}

export interface CallOptions {
  readonly timeout_ms?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly pathParams?: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
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
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, {
      method: spec.method,
      headers: { ...(spec.method === 'POST' ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: spec.method === 'POST' ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(options.timeout_ms ?? DEFAULT_CALL_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    throw new RemoteCallError({ kind: 'unreachable', message: `${spec.method} ${url}: ${(error as Error).message}` });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RemoteCallError({ kind: 'bad_response', status: response.status, message: `${url} answered ${response.status} with non-JSON` });
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = isErrorCode(error?.code) ? error.code : 'unknown';
    const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
    throw new RemoteCallError({ kind: 'refused', status: response.status, code, message });
  }
  const parsed = v.safeParse(spec.response, json);
  if (!parsed.success) {
    throw new RemoteCallError({ kind: 'bad_response', status: response.status, message: `${url} answered with an invalid ${spec.summary}` });
  }
  return parsed.output as ResponseOf<R>;
}
