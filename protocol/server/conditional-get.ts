// What a server needs to send a static file only when the browser lacks it, and compressed when
// the browser takes that: a strong entity tag over the bytes, If-None-Match and Accept-Encoding
// read as RFC 9110 writes them.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A strong entity tag for these bytes: 132 bits of their SHA-256, quoted. */
export function etagOf(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
}

/** RFC 9110 If-None-Match: `*` or a list of (possibly weak) entity tags, compared weakly. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/**
 * Answers 304 with `headers` (which carry the ETag) when the browser already holds these bytes;
 * false when it does not, and the caller sends them.
 */
export function answeredNotModified(
  request: IncomingMessage,
  response: ServerResponse,
  etag: string,
  headers: Record<string, string>,
): boolean {
  if (!matchesEtag(request.headers['if-none-match'], etag)) return false;
  response.writeHead(304, headers).end();
  return true;
}

/** True when Accept-Encoding lists gzip (or `*`) without q=0. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  return acceptEncoding.split(',').some((entry) => {
    const [coding, ...parameters] = entry.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') return false;
    const quality = parameters.map((parameter) => parameter.trim()).find((parameter) => parameter.startsWith('q='));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}
