// CORS for the routes a browser calls (a route bound with `crossOrigin`): the merchant agent's
// /info and widget.js from the merchant's pages, its /info, /purchase, /receipts and /terminate
// from the extension's background (a chrome-extension:// or moz-extension:// origin). Nothing
// rides on cookies, so any origin may call and no credentials are ever allowed; server-to-server
// routes get no CORS headers at all.

export const CROSS_ORIGIN_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
};

export const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = {
  ...CROSS_ORIGIN_HEADERS,
  'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
};
