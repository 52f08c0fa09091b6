// A merchant site on 127.0.0.1 for the widget's browser tests: the pages, the built widget under
// the agent's path, the agent's public /info, and the stand-in extension bridge. Every answer
// carries a strict CSP, so every test also checks that the widget needs nothing inline.

import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v from 'valibot';
import { MerchantInfo } from '@opentab/protocol';
import { MERCHANT_INFO } from './fixture-data';
import { PAGES, pageHtml, type PageName, type PageSpec } from './pages';

export const STRICT_CSP = "script-src 'self'; style-src 'self'";

/** Site CSS that would restyle the widget if its shadow root did not isolate it. */
const PAGE_STYLE_CSS = 'button, span { background: rgb(200, 0, 0) !important; border-radius: 0 !important; }';

export interface FixtureScripts {
  widgetPath: string;
  fakeBridgePath: string;
}

export interface FixtureServer {
  origin: string;
  urlOf(page: PageName): string;
  close(): Promise<void>;
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  csp = STRICT_CSP,
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-security-policy': csp,
    'cache-control': 'no-store',
  });
  response.end(body);
}

export async function serveFixtures(scripts: FixtureScripts): Promise<FixtureServer> {
  // The fixture must itself be a valid MerchantInfo, or the tests would prove nothing.
  const infoJson = JSON.stringify(v.parse(MerchantInfo, MERCHANT_INFO));
  const widgetJs = await readFile(scripts.widgetPath);
  const fakeBridgeJs = await readFile(scripts.fakeBridgePath);
  const pages = new Map<string, { html: string; csp?: string }>(
    Object.entries(PAGES).map(([name, spec]: [string, PageSpec]) => [
      `/${name}.html`,
      { html: pageHtml(spec), csp: spec.csp },
    ]),
  );
  const javascript = 'text/javascript; charset=utf-8';

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://fixture').pathname;
    const page = pages.get(path);
    if (page) return send(response, 200, 'text/html; charset=utf-8', page.html, page.csp);
    switch (path) {
      case '/opentab/widget.js':
        return send(response, 200, javascript, widgetJs);
      case '/test/fake-bridge.js':
        return send(response, 200, javascript, fakeBridgeJs);
      case '/test/page-style.css':
        return send(response, 200, 'text/css', PAGE_STYLE_CSS);
      case '/opentab/info':
        return send(response, 200, 'application/json', infoJson);
      case '/broken-agent/info':
        return send(response, 503, 'application/json', '{"error":{"code":"unavailable"}}');
      case '/opentab/install':
        return send(response, 200, 'text/html; charset=utf-8', '<!doctype html><title>Get Opentab</title>');
      case '/favicon.ico':
        return send(response, 204, 'image/x-icon', '');
      default:
        return send(response, 404, 'text/plain', 'not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    urlOf: (page) => `${origin}/${page}.html`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
