// The shop's HTML pages. No inline script or style anywhere (the CSP forbids both): behaviour
// comes from the widget and /static/shop.js, looks from /static/site.css. Prices shown here are
// display text from the same catalogue the agent enforces.

import { formatMoney, parseMoney } from '@opentab/protocol';
import type { Article, Product } from './content';
import { html, type Markup } from './html';

export interface SiteInfo {
  readonly displayName: string;
  readonly currency: string;
}

function priceText(site: SiteInfo, price: string): string {
  return formatMoney(parseMoney(site.currency, price));
}

function layout(site: SiteInfo, title: string, current: 'news' | 'shop' | null, body: Markup): string {
  const navLink = (href: string, label: string, key: 'news' | 'shop') =>
    html`<a href="${href}"${current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${site.displayName}</title>
<link rel="stylesheet" href="/static/site.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/opentab/widget.js" data-agent="/opentab" defer></script>
<script src="/static/shop.js" defer></script>
</head>
<body>
<header class="masthead">
  <a class="brand" href="/">${site.displayName}</a>
  <nav>${navLink('/', 'News', 'news')}${navLink('/shop', 'Shop', 'shop')}</nav>
</header>
<main>
${body}
</main>
<footer class="colophon">
  <p>A demonstration merchant for Opentab: pay a few cents per article from one deposit, settled once.</p>
</footer>
</body>
</html>
`.text;
}

/** The paid part of a page: a paywall with the pay button, replaced by the content once paid. */
function paidSlot(
  site: SiteInfo,
  itemId: string,
  price: string,
  contentUrl: string,
  callToAction: string,
  lead: string,
): Markup {
  return html`<section class="paid" data-paid-slot="${itemId}" data-content-url="${contentUrl}">
  <div class="paywall" data-paywall>
    <p>${lead} <strong>${priceText(site, price)}</strong>, paid from your Opentab tab with one click.</p>
    <button type="button" data-opentab-item="${itemId}">${callToAction}</button>
    <p class="status" data-paid-status role="status"></p>
  </div>
  <div class="paid-body" data-paid-body hidden></div>
</section>`;
}

export function frontPage(site: SiteInfo, articles: readonly Article[]): string {
  const cards = articles.map(
    (article) => html`<li class="card">
  <p class="section">${article.section}</p>
  <h2><a href="/articles/${article.itemId}">${article.title}</a></h2>
  <p>${article.teaser}</p>
  <p class="price">${priceText(site, article.price)}</p>
</li>`,
  );
  return layout(
    site,
    'News',
    'news',
    html`<h1 class="page-title">Today’s news</h1>
<p class="intro">Every article costs a few cents. Open one tab, read what you like, and pay once at the end.</p>
<ul class="cards">${cards}</ul>
<p class="more"><a href="/shop">Wallpapers and e-books in the shop →</a></p>`,
  );
}

export function articlePage(site: SiteInfo, article: Article): string {
  return layout(
    site,
    article.title,
    'news',
    html`<article class="story">
  <p class="section">${article.section}</p>
  <h1>${article.title}</h1>
  <p class="teaser">${article.teaser}</p>
  ${paidSlot(site, article.itemId, article.price, `/articles/${article.itemId}/content`, 'Read the rest', 'The rest of this article costs')}
</article>
<p class="more"><a href="/">← All articles</a></p>`,
  );
}

/**
 * A product sold by secure delivery: the button asks the wallet to deliver it (data-opentab-delivery);
 * the wallet shows the shop's signed description, checks the file, pays on its accept and saves it.
 * There is no content URL: the shop never hands the file out in clear.
 */
function deliverySlot(site: SiteInfo, itemId: string, price: string): Markup {
  return html`<section class="paid" data-delivery-slot="${itemId}">
  <div class="paywall" data-paywall>
    <p>Yours for <strong>${priceText(site, price)}</strong>, delivered encrypted: Opentab checks the file against the shop's signed description and pays only for an intact one.</p>
    <button type="button" data-opentab-item="${itemId}" data-opentab-delivery>Buy</button>
    <p class="status" data-delivery-status role="status"></p>
  </div>
</section>`;
}

function previewOf(product: Product): Markup {
  switch (product.kind) {
    case 'wallpaper':
      return html`<img class="preview" src="/shop/${product.itemId}/preview.svg" alt="Preview of ${product.title}" width="320" height="180">`;
    case 'ebook':
      return html`<p class="preview book">${product.chapters.length} chapters</p>`;
    case 'photo':
      return html`<p class="preview book">Full-size photograph</p>`;
  }
}

export function shopPage(site: SiteInfo, products: readonly Product[]): string {
  const cards = products.map((product) => {
    const slot =
      product.delivery === true
        ? deliverySlot(site, product.itemId, product.price)
        : paidSlot(site, product.itemId, product.price, `/shop/${product.itemId}/download`, 'Buy', 'Yours for');
    return html`<li class="card product">
  ${previewOf(product)}
  <h2>${product.title}</h2>
  <p>${product.blurb}</p>
  ${slot}
</li>`;
  });
  return layout(
    site,
    'Shop',
    'shop',
    html`<h1 class="page-title">Shop</h1>
<p class="intro">Digital goods, paid from the same tab as your articles.</p>
<ul class="cards products">${cards}</ul>`,
  );
}

/** Where the widget's "Install Opentab" link leads (through the agent's /opentab/install). */
export function getOpentabPage(site: SiteInfo): string {
  return layout(
    site,
    'Get Opentab',
    null,
    html`<article class="story">
  <h1>Pay with Opentab</h1>
  <p class="teaser">Opentab is a browser extension: one deposit with this shop, then one click per article, settled once when you are done.</p>
  <h2>Install the extension</h2>
  <ol class="steps">
    <li>Build it from the Opentab repository: <code>npm run build:extension</code>.</li>
    <li>Chrome or Chromium: open <code>chrome://extensions</code>, switch on developer mode, choose “Load unpacked” and pick <code>dist/chrome</code>.</li>
    <li>Firefox: open <code>about:debugging#/runtime/this-firefox</code>, choose “Load Temporary Add-on” and pick <code>dist/firefox/manifest.json</code>.</li>
    <li>The extension’s options page opens by itself: create your wallet there, enrol with the operator address and code your operator gave you, and come back here.</li>
  </ol>
</article>
<p class="more"><a href="/">← Back to the news</a></p>`,
  );
}

export function notFoundPage(site: SiteInfo): string {
  return layout(
    site,
    'Not found',
    null,
    html`<h1 class="page-title">Not found</h1><p><a href="/">Back to the news</a></p>`,
  );
}
