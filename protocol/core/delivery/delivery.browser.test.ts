import { createHash } from 'node:crypto';
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
import { fromBase64url, toBase64url } from '../encoding/base64url';
import { concatBytes } from '../encoding/bytes';
import { ProductEncryptor } from './chunked-cipher';
import { sealKey } from './key-seal';
import type { BrowserDelivery } from './testing/delivery-page';

// The customer agent's delivery crypto in real browsers (Debian's Chromium through Playwright,
// Firefox ESR through WebDriver BiDi), with @noble as the extension bundles it: the published
// vectors, K2 sealed in Node to a K1 made in the page, and a 3 MB product encrypted in Node,
// streamed into the page, hashed and decrypted there chunk by chunk to the original bytes.

const CHROMIUM = process.env.OPENTAB_CHROMIUM ?? '/usr/bin/chromium';
const FIREFOX = process.env.OPENTAB_FIREFOX ?? '/usr/bin/firefox-esr';
const PAGE_ENTRY = fileURLToPath(new URL('./testing/delivery-page.ts', import.meta.url));
const SCRIPT_NAME = 'delivery.js';
const BROWSER_TIMEOUT_MS = 120_000;
const PRODUCT_BYTES = 3 * 1024 * 1024 + 5;
const CHUNK_BYTES = 64 * 1024;

let outDir: string;
let server: Server;
let pageUrl: string;
let plain: Uint8Array;
let cipher: Uint8Array;
const key = nodeCrypto.randomBytes(32);

beforeAll(async () => {
  for (const browser of [CHROMIUM, FIREFOX]) {
    if (!existsSync(browser))
      throw new Error(`browser not found at ${browser}: run scripts/install-browsers.sh (as root)`);
  }
  plain = nodeCrypto.randomBytes(PRODUCT_BYTES);
  const encryptor = new ProductEncryptor(key, (length) => nodeCrypto.randomBytes(length), CHUNK_BYTES);
  cipher = concatBytes(encryptor.push(plain), encryptor.finish());
  outDir = await mkdtemp(join(tmpdir(), 'opentab-delivery-page-'));
  await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: { entry: PAGE_ENTRY, formats: ['iife'], name: 'DeliveryPage', fileName: () => SCRIPT_NAME },
    },
  });
  const script = await readFile(join(outDir, SCRIPT_NAME));
  server = createServer((request, response) => {
    if (request.url === `/${SCRIPT_NAME}`) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (request.url === '/k1' && request.method === 'POST') {
      let body = '';
      request.on('data', (piece: Buffer) => (body += piece.toString()));
      request.on('end', () => {
        const sealed = sealKey((length) => nodeCrypto.randomBytes(length), fromBase64url(body), key, 'order-1');
        response.writeHead(200, { 'content-type': 'text/plain' }).end(toBase64url(sealed));
      });
    } else if (request.url === '/product.otd') {
      // Written in pieces, so the page reads a stream, not one buffer.
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': cipher.length });
      for (let at = 0; at < cipher.length; at += 100_000) response.write(cipher.subarray(at, at + 100_000));
      response.end();
    } else {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<!doctype html><title>Delivery</title><script src="/${SCRIPT_NAME}"></script>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, BROWSER_TIMEOUT_MS);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => toBase64url(createHash('sha256').update(bytes).digest());
const readDelivery = () => (globalThis as unknown as { delivery: Promise<BrowserDelivery> }).delivery;

function expectDelivered(found: BrowserDelivery): void {
  expect(found.vectorsPass).toBe(true);
  expect(found.ciphertext).toEqual({ sha256: sha256(cipher), size_bytes: cipher.length });
  expect(found.plainSize_bytes).toBe(PRODUCT_BYTES);
  expect(found.plainSha256).toBe(sha256(plain));
  // The page holds no more plaintext at once than the piece the browser handed it and one chunk.
  expect(found.largestPiece_bytes).toBeLessThanOrEqual(found.largestRead_bytes + CHUNK_BYTES);
}

describe('delivery crypto in browsers', () => {
  it(
    'Chromium: vectors, K2 opened with a fresh K1, a 3 MB product streamed and decrypted to its bytes',
    async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
      try {
        const page = await browser.newPage();
        await page.goto(pageUrl);
        expectDelivered(await page.evaluate(readDelivery));
      } finally {
        await browser.close();
      }
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'Firefox: vectors, K2 opened with a fresh K1, a 3 MB product streamed and decrypted to its bytes',
    async () => {
      const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
      try {
        const page = await browser.newPage();
        await page.goto(pageUrl);
        expectDelivered(await page.evaluate(readDelivery));
      } finally {
        await browser.close();
      }
    },
    BROWSER_TIMEOUT_MS,
  );
});
