import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MerchantInfo, ProductList, Receipt } from '@opentab/protocol';
import { fromBase64url, parseMoney, toBase64url, verifyEnvelope } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { PHOTO } from './delivered-goods';
import { StandInMta } from '@opentab/test-kit/merchant-agent';
import { ManualClock } from '@opentab/test-kit';
import { TestCustomer } from '@opentab/test-kit/merchant-agent';
import { ARTICLES, PRODUCTS } from './content';
import { parseCli } from './cli-options';
import { startDemoShop, type DemoShop, type DemoShopOptions } from './server';

const DAY_MS = 86_400_000;
const WIDGET_TAG = '<script src="/opentab/widget.js" data-agent="/opentab" defer></script>';

describe('demo shop', () => {
  let dir: string;
  let mta: StandInMta;
  let shop: DemoShop;
  let options: DemoShopOptions;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opentab-shop-'));
    writeFileSync(join(dir, 'widget.js'), '/* widget */');
    mta = await StandInMta.start('op-eu');
    options = {
      operatorId: mta.operatorId,
      operatorBaseUrl: mta.baseUrl,
      operatorPublicKey: mta.operatorPublicKey,
      dataDir: join(dir, 'data'),
      agentOverrides: {
        widgetFilePath: join(dir, 'widget.js'),
        recordRetryBase_ms: 20,
        recordRetryMax_ms: 100,
        logger: { warn: () => undefined },
      },
    };
    shop = await startDemoShop(options);
    mta.registerMerchant(shop.merchant.merchantId, shop.merchant.publicKey);
  });
  afterEach(async () => {
    await shop.close();
    await mta.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${shop.url}${path}`, { headers });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** Opens a tab through the stand-in MTA and buys one item as the extension would; returns the receipt. */
  async function buy(itemId: string, price: string): Promise<Receipt> {
    const customer = new TestCustomer(1000);
    const information = mta.tabInformation({
      merchantId: shop.merchant.merchantId,
      tabPublicKey: customer.tabPublicKey,
      deposit: { currency: 'EUR', value: '5.00' },
      chain: { root: customer.chain.commitment.root, unit: { currency: 'EUR', value: '0.01' }, length: 1000 },
      expiresAt_ms: Date.now() + 600_000,
    });
    await mta.announceTab(shop.merchant.agentUrl, information);
    const units = Number(parseMoney('EUR', price).minor);
    const purchase = customer.purchase(information.payload.tabId, itemId, { currency: 'EUR', value: price }, units);
    const response = await fetch(`${shop.merchant.agentUrl}/purchase`, {
      method: 'POST',
      body: JSON.stringify(purchase),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Receipt;
  }

  it('exports what the operator needs to register the merchant', () => {
    expect(shop.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(shop.merchant).toEqual({
      merchantId: 'demo-news',
      displayName: 'The Opentab Times',
      currency: 'EUR',
      origins: [shop.url],
      agentUrl: `${shop.url}/opentab`,
      publicKey: shop.agent.publicKey,
    });
  });

  it('sells at least twelve articles at different prices of a few cents, and digital goods', async () => {
    const prices = ARTICLES.map((article) => parseMoney('EUR', article.price).minor);
    expect(ARTICLES.length).toBeGreaterThanOrEqual(12);
    expect(new Set(prices).size).toBeGreaterThanOrEqual(10);
    expect(prices.every((minor) => minor >= 2n && minor <= 25n)).toBe(true);
    const info = JSON.parse((await get('/opentab/info')).text) as MerchantInfo;
    expect(info.catalogue.map((item) => item.itemId)).toEqual([...ARTICLES, ...PRODUCTS].map((item) => item.itemId));
    expect(new Set(PRODUCTS.map((product) => product.kind))).toEqual(new Set(['wallpaper', 'ebook', 'photo']));
  });

  it('delivers a wallpaper, an e-book and a photograph of several MB encrypted, each described and signed, never in clear', async () => {
    const { products } = JSON.parse((await get('/opentab/delivery/products')).text) as ProductList;
    expect(products.map((product) => product.payload.productId)).toEqual([
      'wallpaper-harbour',
      'ebook-harbour-lights',
      'photo-harbour-night',
    ]);
    const merchantKey = fromBase64url(shop.merchant.publicKey);
    for (const product of products) {
      expect(verifyEnvelope(nodeCrypto, product, merchantKey)).toBe(true);
      const catalogued = PRODUCTS.find((item) => item.itemId === product.payload.productId)!;
      expect(product.payload.price).toEqual({ currency: 'EUR', value: catalogued.price });
      // Only the encrypted package leaves the shop; the clear download route does not exist for them.
      expect((await get(`/shop/${product.payload.productId}/download`)).status).toBe(404);
    }
    const photo = products[2]!.payload;
    expect(photo).toMatchObject({ fileName: 'photo-harbour-night.bmp', mediaType: 'image/bmp' });
    expect(photo.size_bytes).toBe(54 + PHOTO.width * 3 * PHOTO.height);
    const content = await fetch(`${shop.merchant.agentUrl}/delivery/content/photo-harbour-night`);
    const bytes = new Uint8Array(await content.arrayBuffer());
    expect(bytes.length).toBe(photo.encryptedSize_bytes);
    expect(toBase64url(nodeCrypto.sha256(bytes))).toBe(photo.ciphertextHash);
    expect((await get('/shop')).text).toContain('data-opentab-item="photo-harbour-night" data-opentab-delivery');

    // A restart on the same data keeps the prepared products: same key, same ciphertext.
    await shop.close();
    shop = await startDemoShop(options);
    const again = JSON.parse((await get('/opentab/delivery/products')).text) as ProductList;
    expect(again.products.map((product) => product.payload.ciphertextHash)).toEqual(
      products.map((product) => product.payload.ciphertextHash),
    );
  });

  it('damages the first ciphertext downloads a test asks for, and only those', async () => {
    await shop.close();
    shop = await startDemoShop({ ...options, damageDeliveries: 1 });
    const { products } = JSON.parse((await get('/opentab/delivery/products')).text) as ProductList;
    const ebook = products.find((product) => product.payload.productId === 'ebook-harbour-lights')!.payload;
    const hashOfDownload = async () => {
      const content = await fetch(`${shop.merchant.agentUrl}/delivery/content/ebook-harbour-lights`);
      const bytes = new Uint8Array(await content.arrayBuffer());
      expect(bytes.length).toBe(ebook.encryptedSize_bytes);
      return toBase64url(nodeCrypto.sha256(bytes));
    };
    expect(await hashOfDownload()).not.toBe(ebook.ciphertextHash);
    expect(await hashOfDownload()).toBe(ebook.ciphertextHash);
  });

  it('serves pages with a strict CSP, one widget script tag, catalogue buttons and nothing inline', async () => {
    const info = JSON.parse((await get('/opentab/info')).text) as MerchantInfo;
    const sold = new Set(info.catalogue.map((item) => item.itemId));
    for (const path of ['/', '/shop', '/get-opentab', ...ARTICLES.map((article) => `/articles/${article.itemId}`)]) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-security-policy'), path).toMatch(/script-src 'self'(;|$)/);
      expect(page.headers.get('content-security-policy'), path).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(page.text.split(WIDGET_TAG), path).toHaveLength(2);
      expect(page.text, path).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(page.text, path).not.toMatch(/\sstyle=|\son[a-z]+=|javascript:/i);
      for (const [, itemId] of page.text.matchAll(/data-opentab-item="([^"]+)"/g))
        expect(sold.has(itemId!), itemId).toBe(true);
    }
    expect((await get('/articles/article-13')).text).toContain('data-opentab-item="article-13"');
    expect((await get('/shop')).text).toContain('data-opentab-item="ebook-salt-road"');
  });

  it('releases paid content only against a valid access token for that item', async () => {
    const refused = await get('/articles/article-2/content');
    expect(refused.status).toBe(402);
    expect(JSON.parse(refused.text)).toMatchObject({
      error: { code: 'payment_required', message: expect.stringContaining('0.05 EUR') },
    });
    expect((await get('/articles/article-2/content', { authorization: 'Bearer not-a-token' })).status).toBe(402);

    const token = (await buy('article-2', '0.05')).payload.accessToken;
    const released = await get('/articles/article-2/content', { authorization: `Bearer ${token}` });
    expect(released.status).toBe(200);
    expect(released.headers.get('cache-control')).toContain('no-store');
    expect(JSON.parse(released.text)).toEqual({
      itemId: 'article-2',
      title: ARTICLES[1]!.title,
      sections: [{ heading: null, paragraphs: ARTICLES[1]!.paragraphs }],
    });
    expect((await get('/articles/article-3/content', { authorization: `Bearer ${token}` })).status).toBe(402);
  });

  it('opens an article for 30 days and an e-book for a year once bought, and a wallpaper download for a day only', async () => {
    await shop.close();
    const clock = new ManualClock();
    shop = await startDemoShop({ ...options, agentOverrides: { ...options.agentOverrides, clock } });
    const info = JSON.parse((await get('/opentab/info')).text) as MerchantInfo;
    const kindOf = (itemId: string) => info.catalogue.find((item) => item.itemId === itemId);
    expect(kindOf('article-2')).toMatchObject({ kind: 'entitlement', access_s: 30 * 86_400 });
    expect(kindOf('ebook-ledger')).toMatchObject({ kind: 'entitlement', access_s: 365 * 86_400 });
    expect(kindOf('wallpaper-aurora')).toMatchObject({ kind: 'consumable' });

    const article = (await buy('article-2', '0.05')).payload;
    const wallpaper = (await buy('wallpaper-aurora', '0.30')).payload;
    expect(article.entitledUntil).toBe(new Date(clock.now_ms() + 30 * DAY_MS).toISOString());
    expect(wallpaper).not.toHaveProperty('entitledUntil');
    const opens = async () => [
      (await get('/articles/article-2/content', { authorization: `Bearer ${article.accessToken}` })).status,
      (await get('/shop/wallpaper-aurora/download', { authorization: `Bearer ${wallpaper.accessToken}` })).status,
    ];
    expect(await opens()).toEqual([200, 200]);
    clock.advance(DAY_MS);
    expect(await opens()).toEqual([200, 402]);
    clock.advance(29 * DAY_MS - 1);
    expect(await opens()).toEqual([200, 402]);
    clock.advance(1);
    expect(await opens()).toEqual([402, 402]);
  });

  it('delivers a paid wallpaper as SVG, and a free preview without payment', async () => {
    expect((await get('/shop/wallpaper-aurora/download')).status).toBe(402);
    const preview = await get('/shop/wallpaper-aurora/preview.svg');
    expect([preview.status, preview.headers.get('content-type')]).toEqual([200, 'image/svg+xml; charset=utf-8']);
    const token = (await buy('wallpaper-aurora', '0.30')).payload.accessToken;
    const download = await get('/shop/wallpaper-aurora/download', { authorization: `Bearer ${token}` });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(download.text).toMatch(/^<svg /);
  });

  it('serves its static files and the widget, and nothing else from disk', async () => {
    expect((await get('/static/site.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await get('/static/shop.js')).text).toContain("addEventListener('opentab:paid'");
    expect((await get('/opentab/widget.js')).text).toBe('/* widget */');
    expect((await get('/static/favicon.svg')).headers.get('content-type')).toBe('image/svg+xml');
    const install = await fetch(`${shop.url}/opentab/install`, { redirect: 'manual' });
    expect([install.status, install.headers.get('location')]).toEqual([302, '/get-opentab']);
    for (const path of [
      '/static/../server.ts',
      '/static/%2e%2e/server.ts',
      '/articles/nope',
      '/shop/ebook-ledger/preview.svg',
      '/nowhere',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('answers a revalidation of a static file with 304 and no body', async () => {
    const first = await get('/static/site.css');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    const again = await get('/static/site.css', { 'if-none-match': etag });
    expect([again.status, again.text, again.headers.get('etag')]).toEqual([304, '', etag]);
    expect((await get('/static/site.css', { 'if-none-match': '"another"' })).status).toBe(200);
    expect((await get('/static/shop.js')).headers.get('etag')).not.toBe(etag);
  });

  it('keeps its merchant identity and tabs across a restart on the same data directory', async () => {
    const receipt = await buy('article-5', '0.08');
    const publicKey = shop.merchant.publicKey;
    await shop.close();
    shop = await startDemoShop(options);
    expect(shop.merchant.publicKey).toBe(publicKey);
    expect(await shop.agent.tab(receipt.payload.tabId)).toMatchObject({ status: 'open', purchaseCount: 1 });
    expect(
      (await get('/articles/article-5/content', { authorization: `Bearer ${receipt.payload.accessToken}` })).status,
    ).toBe(200);
  });
});

describe('demo shop command line', () => {
  it('reads flags before environment variables and insists on the operator', () => {
    const env = {
      OPENTAB_OPERATOR_URL: 'http://op',
      OPENTAB_OPERATOR_ID: 'op-eu',
      OPENTAB_OPERATOR_PUBLIC_KEY: 'key',
      OPENTAB_SHOP_PORT: '9000',
    };
    const parsed = parseCli(['--port', '0', '--data-dir', '/tmp/shop'], env);
    expect(parsed).toMatchObject({
      ok: true,
      options: {
        port: 0,
        dataDir: '/tmp/shop',
        operatorBaseUrl: 'http://op',
        operatorId: 'op-eu',
        operatorPublicKey: 'key',
      },
    });
    expect(parseCli([], {})).toEqual({ ok: false, problem: 'missing --operator-url, --operator-id, --operator-key' });
    expect(parseCli(['--port', 'x'], env)).toEqual({ ok: false, problem: '--port must be 0-65535' });
    expect(parseCli(['--nope', '1'], env).ok).toBe(false);
  });
});
