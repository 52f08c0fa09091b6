// The shop's own paid routes: content is released only against an access token from an Opentab
// receipt, checked by the agent (`verifyAccess`), never against anything the page says.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatMoney, parseMoney } from '@opentab/protocol';
import type { MerchantAgent } from '@opentab/merchant-agent';
import type { Article, Product } from './content';
import { wallpaperSvg } from './wallpaper';

/** What a paid route returns as JSON: the page's script renders it with textContent only. */
export interface PaidText {
  readonly itemId: string;
  readonly title: string;
  readonly sections: readonly { readonly heading: string | null; readonly paragraphs: readonly string[] }[];
}

const PRIVATE_NO_STORE = 'private, no-store';

function bearerToken(request: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? null;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': PRIVATE_NO_STORE,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** True when the request carries a token for `itemId`; otherwise answers 402 and returns false. */
function requireAccess(
  agent: MerchantAgent,
  request: IncomingMessage,
  response: ServerResponse,
  itemId: string,
  what: string,
  price: string,
): boolean {
  if (agent.verifyAccess(bearerToken(request), itemId)) return true;
  const cost = formatMoney(parseMoney(agent.currency, price));
  sendJson(
    response,
    402,
    {
      error: {
        code: 'payment_required',
        message: `${what} costs ${cost}. Pay with Opentab, then send the receipt's access token as "Authorization: Bearer <token>".`,
      },
    },
    { 'www-authenticate': 'Bearer realm="opentab"' },
  );
  return false;
}

export function serveArticleContent(
  agent: MerchantAgent,
  request: IncomingMessage,
  response: ServerResponse,
  article: Article,
): void {
  if (!requireAccess(agent, request, response, article.itemId, 'This article', article.price)) return;
  const body: PaidText = {
    itemId: article.itemId,
    title: article.title,
    sections: [{ heading: null, paragraphs: article.paragraphs }],
  };
  sendJson(response, 200, body);
}

export function serveProductDownload(
  agent: MerchantAgent,
  request: IncomingMessage,
  response: ServerResponse,
  product: Exclude<Product, { kind: 'photo' }>,
): void {
  if (!requireAccess(agent, request, response, product.itemId, `“${product.title}”`, product.price)) return;
  if (product.kind === 'ebook') {
    const body: PaidText = {
      itemId: product.itemId,
      title: product.title,
      sections: product.chapters.map((chapter) => ({ heading: chapter.title, paragraphs: [chapter.text] })),
    };
    return sendJson(response, 200, body);
  }
  const svg = wallpaperSvg(product.title, product.palette);
  response.writeHead(200, {
    'content-type': 'image/svg+xml; charset=utf-8',
    'content-disposition': `attachment; filename="${product.itemId}.svg"`,
    'cache-control': PRIVATE_NO_STORE,
    'content-length': Buffer.byteLength(svg),
  });
  response.end(svg);
}

/** A free, reduced preview: the sky and the first band only. */
export function serveWallpaperPreview(
  response: ServerResponse,
  product: Extract<Product, { kind: 'wallpaper' }>,
): void {
  const [sky, first] = product.palette;
  const svg = wallpaperSvg(`${product.title} (preview)`, [sky, first, sky]);
  response.writeHead(200, {
    'content-type': 'image/svg+xml; charset=utf-8',
    'cache-control': 'public, max-age=3600',
    'content-length': Buffer.byteLength(svg),
  });
  response.end(svg);
}
