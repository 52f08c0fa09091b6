// Node-only HTTP edges shared by the operator server and the merchant agent: read a JSON body
// within a byte limit, answer JSON, answer a refusal. Never imported by browser code.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { OpentabError } from '@opentab/protocol';
import { PREFLIGHT_HEADERS } from './cors';

/** Reads the whole body as text, refusing (413) as soon as it passes `maxBody_bytes`. */
export function readBodyText(request: IncomingMessage, maxBody_bytes: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > maxBody_bytes) {
    request.resume();
    return Promise.reject(new OpentabError('body_too_large', `The body may be at most ${maxBody_bytes} bytes.`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received_bytes = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      received_bytes += chunk.length;
      if (received_bytes > maxBody_bytes) {
        refused = true;
        chunks.length = 0;
        reject(new OpentabError('body_too_large', `The body may be at most ${maxBody_bytes} bytes.`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', (error) => {
      if (!refused) reject(new OpentabError('malformed_json', `The body could not be read: ${error.message}`));
    });
  });
}

/** JSON bodies only: a POST without application/json is refused before it is read. */
export async function readJsonBody(request: IncomingMessage, maxBody_bytes: number): Promise<unknown> {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    request.resume();
    throw new OpentabError('unsupported_media_type');
  }
  const text = await readBodyText(request, maxBody_bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new OpentabError('malformed_json');
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

export function sendError(response: ServerResponse, error: OpentabError, headers: Record<string, string> = {}): void {
  sendJson(response, error.status, error.toBody(), headers);
}

/**
 * 429 rate_limited with Retry-After in whole seconds (at least 1). The body is left unread
 * (drained, never buffered), and nothing else happens.
 */
export function sendRateLimited(
  request: IncomingMessage,
  response: ServerResponse,
  retryAfter_ms: number,
  headers: Record<string, string> = {},
): void {
  request.resume();
  const retryAfter_s = Math.max(1, Math.ceil(retryAfter_ms / 1000));
  sendError(response, new OpentabError('rate_limited'), { ...headers, 'retry-after': String(retryAfter_s) });
}

/** 204 to a CORS preflight of a route browsers call (cors.ts). */
export function sendPreflight(response: ServerResponse): void {
  response.writeHead(204, { ...PREFLIGHT_HEADERS, 'content-length': 0 });
  response.end();
}
