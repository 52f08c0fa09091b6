// The merchant dashboard's built files (`npm run build:dashboard` writes dist/merchant-dashboard),
// served under `<mount>/dashboard/`. They hold no secret: the dashboard asks for a login's token
// and sends it with every call of the admin API, so serving them needs none.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:dashboard` writes the dashboard: dist/merchant-dashboard at the repository's root. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dist/merchant-dashboard/', import.meta.url));

/** The dashboard as published beside the bundled agent in @opentab/merchant-agent. */
const PUBLISHED_DASHBOARD_DIR = new URL('./dashboard/', import.meta.url);

/** `OPENTAB_DASHBOARD_DIR` serves a dashboard built elsewhere (the tests build their own). */
export function dashboardDirectory(): string {
  if (process.env.OPENTAB_DASHBOARD_DIR !== undefined) return process.env.OPENTAB_DASHBOARD_DIR;
  return existsSync(new URL('index.html', PUBLISHED_DASHBOARD_DIR))
    ? fileURLToPath(PUBLISHED_DASHBOARD_DIR)
    : DASHBOARD_DIR;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const PREFIX = '/dashboard/';

/** True when the path (below the agent's mount) was the dashboard's, answered found or not. */
export async function serveDashboard(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  directory: string = dashboardDirectory(),
): Promise<boolean> {
  if (path === '/dashboard') {
    request.resume();
    // Relative, so it holds under whatever mount path the merchant chose.
    response.writeHead(308, { location: 'dashboard/', 'content-length': 0 }).end();
    return true;
  }
  if (!path.startsWith(PREFIX)) return false;
  request.resume();
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response
      .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
      .end('method not allowed');
    return true;
  }
  let relative: string;
  try {
    relative = path === PREFIX ? 'index.html' : decodeURIComponent(path.slice(PREFIX.length));
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    return true;
  }
  const root = directory.endsWith(sep) ? directory : directory + sep;
  const file = normalize(join(root, relative));
  if (!file.startsWith(root)) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    return true;
  }
  try {
    const body = await readFile(file);
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      // The page may change with every build; its hashed assets never do.
      'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch {
    const missing = relative === 'index.html';
    response
      .writeHead(missing ? 503 : 404, { 'content-type': 'text/plain; charset=utf-8' })
      .end(missing ? 'The merchant dashboard is not built: run npm run build:dashboard.' : 'not found');
  }
  return true;
}
