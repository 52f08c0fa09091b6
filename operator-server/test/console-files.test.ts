// The operator serves the console's built files under /console, and nothing outside them.

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConsole } from '../src/admin/console-files';

let server: Server;
let base: string;
let directory: string;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'opentab-console-files-'));
  directory = join(root, 'console');
  mkdirSync(join(directory, 'assets'), { recursive: true });
  writeFileSync(join(directory, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(directory, 'assets', 'app-1234.js'), 'export {};');
  writeFileSync(join(root, 'secret.txt'), 'outside');
  let serving = directory;
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/unbuilt') serving = join(root, 'missing');
    void serveConsole(request, response, url.pathname, serving).then((served) => {
      if (!served) response.writeHead(418).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the console files', () => {
  it('are served with their types, the page revalidated and the hashed assets cached', async () => {
    const page = await fetch(`${base}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<title>console</title>');
    const script = await fetch(`${base}/console/assets/app-1234.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');
    const bare = await fetch(`${base}/console`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/console/']);
  });

  it('never leave their directory, and other paths are not theirs', async () => {
    for (const path of [
      '/console/..%2Fsecret.txt',
      '/console/assets%2F..%2F..%2Fsecret.txt',
      '/console/assets/nothing.js',
    ])
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    expect((await fetch(`${base}/consoles`)).status).toBe(418);
  });

  it('say how to build them when they are not built', async () => {
    await fetch(`${base}/unbuilt`);
    const page = await fetch(`${base}/console/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('npm run build:console');
  });
});
