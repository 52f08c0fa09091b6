import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright';
import { buildExtension } from './build';
import type { Target } from './manifest';

// Shared by the extension build tests. Each test file builds its own copy into a temp dir,
// so the tests never depend on (or clobber) a developer's dist/.

export const CHROMIUM = process.env.OPENTAB_CHROMIUM ?? '/usr/bin/chromium';
export const FIREFOX = process.env.OPENTAB_FIREFOX ?? '/usr/bin/firefox-esr';

/** Fails with the fix spelled out instead of an obscure launch error. */
export function requireBrowser(path: string): void {
  if (!existsSync(path)) {
    throw new Error(`browser not found at ${path}: run scripts/install-browsers.sh (as root)`);
  }
}

/**
 * Debian's Chromium with an unpacked extension, in a throwaway profile: only a persistent context
 * can load an extension, and the flags keep a machine without internet from retrying Google's
 * services. Shared by the extension tests, the e2e suite and the benchmark.
 */
export function launchChromiumWithExtension(extensionDir: string): Promise<BrowserContext> {
  requireBrowser(CHROMIUM);
  return chromium.launchPersistentContext('', {
    headless: true,
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-gpu',
    ],
  });
}

export interface TempBuild {
  dir: string;
  cleanup: () => Promise<void>;
}

export async function buildToTemp(target: Target): Promise<TempBuild> {
  const root = await mkdtemp(join(tmpdir(), `opentab-ext-${target}-`));
  const dir = await buildExtension({ target, outDir: join(root, target), logLevel: 'silent' });
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export interface PageServer {
  url: string;
  close: () => Promise<void>;
}

/** A stand-in merchant page on 127.0.0.1 for the content script to run in. */
export async function serveMerchantPage(): Promise<PageServer> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html><head><title>shop</title></head><body>shop</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
