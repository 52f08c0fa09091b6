// The operator console's built files (npm run build:console writes dist/console), served under
// /console. The files hold no secret: the console asks for the admin token and sends it with
// every API call, so serving them needs none.

import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:console` writes the console: dist/console at the repository's root. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

/** `OPENTAB_CONSOLE_DIR` serves a console built elsewhere (the tests build their own). */
export function consoleDirectory(): string {
  return process.env.OPENTAB_CONSOLE_DIR ?? CONSOLE_DIR;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/** True when the path was the console's (answered, found or not). */
export async function serveConsole(
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
  directory: string = consoleDirectory(),
): Promise<boolean> {
  if (pathname === '/console') {
    request.resume();
    response.writeHead(308, { location: '/console/' }).end();
    return true;
  }
  if (!pathname.startsWith('/console/')) return false;
  request.resume();
  const relative = pathname === '/console/' ? 'index.html' : decodeURIComponent(pathname.slice('/console/'.length));
  const file = normalize(join(directory, relative));
  if (!file.startsWith(directory.endsWith(sep) ? directory : directory + sep)) {
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
    });
    response.end(body);
  } catch {
    const missing = relative === 'index.html';
    response
      .writeHead(missing ? 503 : 404, { 'content-type': 'text/plain; charset=utf-8' })
      .end(missing ? 'The console is not built: run npm run build:console.' : 'not found');
  }
  return true;
}
