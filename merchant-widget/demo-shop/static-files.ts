// The shop's own static files, from a fixed list read once at start: nothing the URL says can
// reach any other file. Each has an ETag, so a reader's next page revalidates it with a 304.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { answeredNotModified, etagOf } from '@opentab/server-kit';

const PUBLIC_DIR = new URL('./public/', import.meta.url);

const FILES = {
  '/static/site.css': { file: 'site.css', contentType: 'text/css; charset=utf-8' },
  '/static/shop.js': { file: 'shop.js', contentType: 'text/javascript; charset=utf-8' },
  '/static/favicon.svg': { file: 'favicon.svg', contentType: 'image/svg+xml' },
} as const;

export interface StaticFile {
  readonly contentType: string;
  readonly body: Buffer;
  readonly etag: string;
}

export type StaticFiles = ReadonlyMap<string, StaticFile>;

export function loadStaticFiles(): StaticFiles {
  return new Map(
    Object.entries(FILES).map(([path, { file, contentType }]) => {
      const body = readFileSync(fileURLToPath(new URL(file, PUBLIC_DIR)));
      return [path, { contentType, body, etag: etagOf(body) }];
    }),
  );
}

export function serveStaticFile(request: IncomingMessage, response: ServerResponse, file: StaticFile): void {
  const headers = {
    'content-type': file.contentType,
    'cache-control': 'no-cache',
    etag: file.etag,
    'x-content-type-options': 'nosniff',
  };
  if (answeredNotModified(request, response, file.etag, headers)) return;
  response.writeHead(200, { ...headers, 'content-length': file.body.length });
  response.end(file.body);
}
