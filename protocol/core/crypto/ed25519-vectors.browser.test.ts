import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import puppeteer from 'puppeteer-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/test-kit';
import type { BrowserVerdicts } from './testing/ed25519-verdicts-page';
import { ED25519_VECTORS, verdictsOf, wrongVerdicts } from './vectors/ed25519-vectors';

// The Ed25519 vectors in real browsers (Debian's Chromium through Playwright, Firefox ESR through
// WebDriver BiDi): the extension's two verifiers there, @noble and the browser's WebCrypto, give
// Opentab's verdict on every vector, the same as node:crypto on the servers.

const CHROMIUM = process.env.OPENTAB_CHROMIUM ?? '/usr/bin/chromium';
const FIREFOX = process.env.OPENTAB_FIREFOX ?? '/usr/bin/firefox-esr';
const PAGE_ENTRY = fileURLToPath(new URL('./testing/ed25519-verdicts-page.ts', import.meta.url));
const SCRIPT_NAME = 'ed25519-verdicts.js';
const BROWSER_TIMEOUT_MS = 120_000;

let outDir: string;
let server: Server;
let pageUrl: string;
let nodeVerdicts: boolean[];

beforeAll(async () => {
  for (const browser of [CHROMIUM, FIREFOX]) {
    if (!existsSync(browser))
      throw new Error(`browser not found at ${browser}: run scripts/install-browsers.sh (as root)`);
  }
  outDir = await mkdtemp(join(tmpdir(), 'opentab-ed25519-'));
  await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: { entry: PAGE_ENTRY, formats: ['iife'], name: 'Ed25519Verdicts', fileName: () => SCRIPT_NAME },
    },
  });
  const script = await readFile(join(outDir, SCRIPT_NAME));
  // 127.0.0.1 is a secure context, where browsers expose crypto.subtle.
  server = createServer((request, response) => {
    if (request.url === `/${SCRIPT_NAME}`) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<!doctype html><title>Ed25519 vectors</title><script src="/${SCRIPT_NAME}"></script>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  nodeVerdicts = await verdictsOf(nodeCrypto.ed25519.verify);
}, BROWSER_TIMEOUT_MS);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function expectOpentabVerdicts(verdicts: BrowserVerdicts): void {
  expect(verdicts.nativeEd25519).toBe(true);
  expect(verdicts.noble).toHaveLength(ED25519_VECTORS.length);
  expect(wrongVerdicts(verdicts.noble)).toEqual([]);
  expect(wrongVerdicts(verdicts.webCrypto)).toEqual([]);
  expect(verdicts.webCrypto).toEqual(nodeVerdicts);
  expect(verdicts.noble).toEqual(nodeVerdicts);
}

const readVerdicts = () => (globalThis as unknown as { ed25519Verdicts: Promise<BrowserVerdicts> }).ed25519Verdicts;

describe('Ed25519 vectors in browsers', () => {
  it(
    'Chromium: @noble and WebCrypto give the expected verdict on every vector, as node:crypto does',
    async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
      try {
        const page = await browser.newPage();
        await page.goto(pageUrl);
        expectOpentabVerdicts(await page.evaluate(readVerdicts));
      } finally {
        await browser.close();
      }
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'Firefox: @noble and WebCrypto give the expected verdict on every vector, as node:crypto does',
    async () => {
      const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
      try {
        const page = await browser.newPage();
        await page.goto(pageUrl);
        expectOpentabVerdicts(await page.evaluate(readVerdicts));
      } finally {
        await browser.close();
      }
    },
    BROWSER_TIMEOUT_MS,
  );
});
