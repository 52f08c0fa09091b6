// startDemoShop: a news site and a small shop of digital goods on node:http, with the merchant
// agent mounted at /opentab. It registers nothing at the operator; the caller does that with
// the `merchant` data it returns (id, name, currency, origins, agent URL, public key).

import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createMerchantAgent, type MerchantAgent } from '@opentab/merchant-agent';
import type { AgentStoreConfig, MerchantAgentConfig } from '@opentab/merchant-agent';
import { ARTICLES, PRODUCTS, demoCatalogue } from './content';
import { loadOrCreateDashboardLogin, loadOrCreateSecrets, type DashboardLogin } from './identity';
import { articlePage, frontPage, getOpentabPage, notFoundPage, shopPage, type SiteInfo } from './pages';
import { serveArticleContent, serveProductDownload, serveWallpaperPreview } from './paid-content';
import { loadStaticFiles, serveStaticFile } from './static-files';
import { prepareDeliveredGoods, type SizedProduct } from './delivered-goods';
import { damagedDownloads } from './damaged-downloads';
import type { MerchantRegistration } from '@opentab/protocol';

export interface DemoShopOptions {
  readonly operatorId: string;
  readonly operatorBaseUrl: string;
  /** base64url Ed25519 public key of the operator. */
  readonly operatorPublicKey: string;
  /** Holds the SQLite database (unless `store` names another) and, unless given below, the merchant's secrets. */
  readonly dataDir: string;
  /** Where the merchant agent keeps its state; by default the SQLite file merchant-agent.sqlite in dataDir. */
  readonly store?: AgentStoreConfig;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The origin customers reach the shop at, when not http://<host>:<port> (e.g. behind a proxy). */
  readonly publicOrigin?: string;
  readonly merchantId?: string;
  readonly displayName?: string;
  /** A currency with two decimals; the catalogue's prices are written as cents. Default EUR. */
  readonly currency?: string;
  readonly merchantSecretKey?: string;
  readonly accessTokenSecret?: string;
  /**
   * Further agent settings: clock, logger, timeouts, widget file, and the catalogue (the same
   * items sold another way, e.g. every one as a consumable for a benchmark that buys one article
   * again and again).
   */
  readonly agentOverrides?: Partial<
    Pick<
      MerchantAgentConfig,
      | 'clock'
      | 'logger'
      | 'widgetFilePath'
      | 'accessTokenLifetime_ms'
      | 'recordRetryBase_ms'
      | 'recordRetryMax_ms'
      | 'recordCallTimeout_ms'
      | 'expiryCheckInterval_ms'
      | 'clockSkew_ms'
      | 'catalogue'
    >
  >;
  /**
   * For tests: the first this-many ciphertext downloads of delivered products come with one byte
   * altered (a package damaged on its way), which the wallet must refuse and get re-sent.
   */
  readonly damageDeliveries?: number;
  /** Further products of these sizes, sold by secure delivery (benchmarks); they must be in the catalogue. */
  readonly sizedDeliveries?: readonly SizedProduct[];
}

/** What the merchant's operator needs to register (and certify) this merchant. */
export type { MerchantRegistration };

export interface DemoShop {
  /** The shop's origin, e.g. http://127.0.0.1:54321 */
  readonly url: string;
  readonly agent: MerchantAgent;
  readonly merchant: MerchantRegistration;
  /** The merchant dashboard, served by the shop's agent, and the owner's login to it. */
  readonly dashboard: { readonly url: string; readonly login: DashboardLogin };
  close(): Promise<void>;
}

export const DEMO_MERCHANT_ID = 'demo-news';
export const DEMO_DISPLAY_NAME = 'The Opentab Times';
/** The page the widget's "Install Opentab" link reaches, through the agent's /opentab/install. */
const GET_OPENTAB_PATH = '/get-opentab';

/** Strict: scripts and styles from this origin only, nothing inline, no framing. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
} as const;

export async function startDemoShop(options: DemoShopOptions): Promise<DemoShop> {
  mkdirSync(options.dataDir, { recursive: true });
  const secrets =
    options.merchantSecretKey !== undefined && options.accessTokenSecret !== undefined
      ? { merchantSecretKey: options.merchantSecretKey, accessTokenSecret: options.accessTokenSecret }
      : loadOrCreateSecrets(options.dataDir);
  const dashboardLogin = loadOrCreateDashboardLogin(options.dataDir);
  const site: SiteInfo = { displayName: options.displayName ?? DEMO_DISPLAY_NAME, currency: options.currency ?? 'EUR' };
  const merchantId = options.merchantId ?? DEMO_MERCHANT_ID;
  const currency = options.currency ?? 'EUR';
  const deliveryFolder = await prepareDeliveredGoods(
    options.dataDir,
    { merchantId, merchantSecretKey: options.merchantSecretKey ?? secrets.merchantSecretKey, currency },
    PRODUCTS,
    options.sizedDeliveries,
  );
  const agent = await createMerchantAgent({
    merchantId,
    displayName: site.displayName,
    operatorId: options.operatorId,
    operatorBaseUrl: options.operatorBaseUrl,
    operatorPublicKey: options.operatorPublicKey,
    merchantSecretKey: options.merchantSecretKey ?? secrets.merchantSecretKey,
    accessTokenSecret: options.accessTokenSecret ?? secrets.accessTokenSecret,
    currency: site.currency,
    catalogue: demoCatalogue(),
    ...(options.store !== undefined
      ? { store: options.store }
      : { databasePath: join(options.dataDir, 'merchant-agent.sqlite') }),
    extensionInstallUrl: GET_OPENTAB_PATH,
    delivery: { productsDirectory: deliveryFolder },
    adminLogins: [dashboardLogin],
    ...options.agentOverrides,
  });

  const staticFiles = loadStaticFiles();
  const articles = new Map(ARTICLES.map((article) => [article.itemId, article]));
  const products = new Map(PRODUCTS.map((product) => [product.itemId, product]));

  function page(response: ServerResponse, status: number, body: string): void {
    response.writeHead(status, { ...PAGE_HEADERS, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }

  function serveSite(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 }).end();
      return;
    }
    const path = (request.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
    const staticFile = staticFiles.get(path);
    if (staticFile !== undefined) return serveStaticFile(request, response, staticFile);
    if (path === '/') return page(response, 200, frontPage(site, ARTICLES));
    if (path === '/shop') return page(response, 200, shopPage(site, PRODUCTS));
    if (path === GET_OPENTAB_PATH) return page(response, 200, getOpentabPage(site));

    const articleMatch = /^\/articles\/([^/]+)(\/content)?$/.exec(path);
    const article = articleMatch ? articles.get(articleMatch[1]!) : undefined;
    if (articleMatch && article) {
      return articleMatch[2]
        ? serveArticleContent(agent, request, response, article)
        : page(response, 200, articlePage(site, article));
    }
    const productMatch = /^\/shop\/([^/]+)\/(download|preview\.svg)$/.exec(path);
    const product = productMatch ? products.get(productMatch[1]!) : undefined;
    if (productMatch && product) {
      // A delivered product is never handed out in clear: only its encrypted package, by the agent.
      if (productMatch[2] === 'download' && product.kind !== 'photo' && product.delivery !== true)
        return serveProductDownload(agent, request, response, product);
      if (productMatch[2] === 'preview.svg' && product.kind === 'wallpaper')
        return serveWallpaperPreview(response, product);
    }
    page(response, 404, notFoundPage(site));
  }

  const damage = damagedDownloads(agent.mountPath, deliveryFolder, options.damageDeliveries ?? 0);
  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (await damage(request, response)) return;
      if (!(await agent.handle(request, response))) serveSite(request, response);
    } catch (error) {
      // Only a defect in the shop itself gets here; the agent answers its own failures.
      options.agentOverrides?.logger?.warn('demo shop request failed', error);
      if (!response.headersSent) response.writeHead(500, { 'content-length': 0 });
      response.end();
    }
  }

  const server = createServer((request, response) => void answer(request, response));
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    await agent.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = options.publicOrigin ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    agent,
    merchant: {
      merchantId: agent.merchantId,
      displayName: agent.displayName,
      currency: agent.currency,
      origins: [url],
      agentUrl: `${url}${agent.mountPath}`,
      publicKey: agent.publicKey,
    },
    dashboard: { url: `${url}${agent.mountPath}/dashboard/`, login: dashboardLogin },
    close() {
      closing ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await agent.close();
      })();
      return closing;
    },
  };
}
