// The shop's own static files, from a fixed list read once at start: nothing the URL says can
// reach any other file.

import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

const PUBLIC_DIR = new URL('./public/', import.meta.url);

const FILES = {
  '/static/site.css': { file: 'site.css', contentType: 'text/css; charset=utf-8' },
  '/static/shop.js': { file: 'shop.js', contentType: 'text/javascript; charset=utf-8' },
  '/static/favicon.svg': { file: 'favicon.svg', contentType: 'image/svg+xml' },
} as const;

export type StaticFiles = ReadonlyMap<string, { readonly contentType: string; readonly body: Buffer }>;

export function loadStaticFiles(): StaticFiles {
  return new Map(
    Object.entries(FILES).map(([path, { file, contentType }]) => [path, { contentType, body: readFileSync(fileURLToPath(new URL(file, PUBLIC_DIR))) }]),
  );
}

export function serveStaticFile(response: ServerResponse, file: { readonly contentType: string; readonly body: Buffer }): void {
  response.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  response.end(file.body);
}
