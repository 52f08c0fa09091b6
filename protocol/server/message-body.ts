// Reading a route's JSON request body, including when a framework got to it first (the merchant
// agent is mounted in the merchant's server): a global express.json() consumes the stream, and
// waiting for an 'end' that already happened would hang the request forever.

import type { IncomingMessage } from 'node:http';
import { OpentabError } from '@opentab/protocol';
import { readJsonBody } from './http-io';

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

export async function readMessageBody(request: IncomingMessage, maxBody_bytes: number): Promise<unknown> {
  if (!request.readableEnded) return readJsonBody(request, maxBody_bytes);
  if (!JSON_CONTENT_TYPE.test(request.headers['content-type'] ?? '')) throw new OpentabError('unsupported_media_type');
  return bodyParsedEarlier(request, maxBody_bytes);
}

/** What a body parser mounted before the agent left on `request.body`, held to the same limit. */
function bodyParsedEarlier(request: IncomingMessage, maxBody_bytes: number): unknown {
  const parsed: unknown = (request as IncomingMessage & { body?: unknown }).body;
  if (parsed === undefined) {
    throw new OpentabError(
      'malformed_json',
      'The body was consumed before the Opentab agent could read it; mount the agent before body-parsing middleware.',
    );
  }
  const text = typeof parsed === 'string' ? parsed : Buffer.isBuffer(parsed) ? parsed.toString('utf8') : null;
  const size_bytes = Buffer.byteLength(text ?? JSON.stringify(parsed) ?? '');
  if (size_bytes > maxBody_bytes)
    throw new OpentabError('body_too_large', `The body may be at most ${maxBody_bytes} bytes.`);
  if (text === null) return parsed;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new OpentabError('malformed_json');
  }
}
