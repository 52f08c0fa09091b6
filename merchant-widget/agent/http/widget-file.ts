// Serves the built page widget (dist/widget/widget.js by default) so a page needs one script tag
// pointing at the agent. It is looked at on each request, so a rebuild shows up at once
// (`no-cache`), but a browser that has it already revalidates with its ETag and gets a 304
// without the script; a browser that takes gzip gets it gzipped (~6 KB instead of ~15 KB).
// The ETag and the gzipped bytes are made once per build, keyed by the file's size and mtime.

import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { OpentabError } from '@opentab/protocol';
import { acceptsGzip, answeredNotModified, etagOf } from '@opentab/server-kit';
import { CROSS_ORIGIN_HEADERS, sendError } from '@opentab/server-kit';

interface PreparedScript {
  /** size:mtime of the file these bytes were read from. */
  readonly version: string;
  readonly etag: string;
  readonly plain: Buffer;
  readonly gzipped: Buffer;
}

const prepared = new Map<string, PreparedScript>();

async function preparedScript(path: string): Promise<PreparedScript> {
  const info = await stat(path);
  const version = `${info.size}:${info.mtimeMs}`;
  const known = prepared.get(path);
  if (known?.version === version) return known;
  const plain = await readFile(path);
  const script: PreparedScript = { version, etag: etagOf(plain), plain, gzipped: gzipSync(plain, { level: 9 }) };
  prepared.set(path, script);
  return script;
}

export async function serveWidgetFile(
  request: IncomingMessage,
  response: ServerResponse,
  widgetFilePath: string,
): Promise<void> {
  let script: PreparedScript;
  try {
    script = await preparedScript(widgetFilePath);
  } catch {
    const shownPath = relative(process.cwd(), widgetFilePath) || widgetFilePath;
    const missing = new OpentabError(
      'not_found',
      `The Opentab widget has not been built on this server (expected ${shownPath}); build the widget first.`,
    );
    sendError(response, missing, { ...CROSS_ORIGIN_HEADERS, 'x-content-type-options': 'nosniff' });
    return;
  }
  const headers = {
    ...CROSS_ORIGIN_HEADERS,
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'no-cache',
    etag: script.etag,
    vary: 'Accept-Encoding',
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'cross-origin',
  };
  if (answeredNotModified(request, response, script.etag, headers)) return;
  const gzip = acceptsGzip(request.headers['accept-encoding']);
  const body = gzip ? script.gzipped : script.plain;
  response.writeHead(200, {
    ...headers,
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    'content-length': body.length,
  });
  response.end(body);
}
