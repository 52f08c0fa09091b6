// The merchant pages the browser tests open. Every script is an external file from the page's
// own origin, because the pages are served under a CSP that forbids inline script and style.

export interface PageSpec {
  /** Replaces the default Content-Security-Policy (script-src 'self'; style-src 'self'). */
  csp?: string;
  /** Attributes of the fake bridge's <script>; omitted means no extension on this page. */
  bridge?: Record<string, string>;
  /** Attributes of the widget's <script>, besides src and defer; null leaves the widget out. */
  widget?: Record<string, string> | null;
  body: string;
}

/** Item markup used by most pages: one element kind each, and a price in the markup to be ignored. */
export const SHOP_BODY = `
<h1>Demo News</h1>
<p id="row-42"><button id="buy-42" data-opentab-item="article-42" data-price="9.99" data-currency="USD">Read the long read</button></p>
<section id="row-43"><div id="buy-43" data-opentab-item="article-43"></div></section>
<p id="row-7"><span id="buy-7" data-opentab-item="podcast-7">Listen now</span></p>
<p id="row-ghost"><a id="buy-ghost" data-opentab-item="not-in-catalogue">Ghost item</a></p>
<p><a id="after" href="#after">a link after the buttons</a></p>
`;

const AGENT = { 'data-agent': '/opentab' };

export const PAGES = {
  shop: { bridge: {}, widget: AGENT, body: SHOP_BODY },
  'expired-rates': { bridge: { 'data-rate-status': 'expired' }, widget: AGENT, body: SHOP_BODY },
  'missing-rates': { bridge: { 'data-rate-status': 'missing' }, widget: AGENT, body: SHOP_BODY },
  'pay-error': { bridge: { 'data-pay-error': 'limit_reached' }, widget: AGENT, body: SHOP_BODY },
  /** The customer said no in the confirmation window (or closed it). */
  'pay-declined': { bridge: { 'data-pay-error': 'declined_by_customer' }, widget: AGENT, body: SHOP_BODY },
  /** The shop does not answer the payment at once: the extension finishes it on the second question. */
  'pay-pending': { bridge: { 'data-pay-pending': '2' }, widget: AGENT, body: SHOP_BODY },
  /** The customer is still confirming: pay answers when the test dispatches PAY_RELEASE_EVENT. */
  'held-pay': { bridge: { 'data-pay-held': '' }, widget: AGENT, body: SHOP_BODY },
  /** The wallet holds an entitlement to article-42, bought on an earlier visit. */
  'bought-before': { bridge: { 'data-owned': 'article-42' }, widget: AGENT, body: SHOP_BODY },
  /** An extension from before the request event: every request must be a posted message. */
  'bridge-v1': { bridge: { 'data-protocol-version': '1' }, widget: AGENT, body: SHOP_BODY },
  'no-extension': {
    widget: { ...AGENT, 'data-install-url': 'https://opentab.example/get' },
    body: SHOP_BODY,
  },
  'no-extension-default-link': { widget: AGENT, body: SHOP_BODY },
  'broken-agent': { bridge: {}, widget: { 'data-agent': '/broken-agent' }, body: SHOP_BODY },
  /** Stricter still: DOM XSS sinks such as innerHTML need Trusted Types, which the widget never uses. */
  'trusted-types': {
    bridge: {},
    widget: AGENT,
    body: SHOP_BODY,
    csp: "script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'",
  },
  'no-widget': { bridge: {}, widget: null, body: SHOP_BODY },
  /** The widget without the stand-in: in a browser with the real extension, it asks that one. */
  asks: { widget: AGENT, body: SHOP_BODY },
  /** Neither widget nor stand-in: a page that never asks for the wallet. */
  'never-asks': { widget: null, body: SHOP_BODY },
  /** Control for the CSP check itself: an inline style attribute that the policy must refuse. */
  'csp-control': { widget: null, body: '<p id="styled" style="color: red">inline style</p>' },
} satisfies Record<string, PageSpec>;

export type PageName = keyof typeof PAGES;

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function scriptTag(src: string, attributes: Record<string, string>, defer: boolean): string {
  const extra = Object.entries(attributes).map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`);
  return `<script src="${src}"${extra.join('')}${defer ? ' defer' : ''}></script>`;
}

export function pageHtml(spec: PageSpec): string {
  // The real content script runs at document_start, before any page script: a blocking tag
  // ahead of the deferred widget reproduces that order.
  const bridge = spec.bridge ? scriptTag('/test/fake-bridge.js', spec.bridge, false) : '';
  const widget = spec.widget === null ? '' : scriptTag('/opentab/widget.js', spec.widget ?? {}, true);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo News</title>${bridge}${widget}</head>
<body>${spec.body}</body></html>`;
}
