// Per-address rate limits on the agent's routes, over real HTTP on 127.0.0.1: a burst beyond the
// limit gets 429 rate_limited with Retry-After (readable by a browser) and changes nothing; the
// MTA's routes keep their own limit; after the refill a purchase goes through. The harness's
// manual clock drives the limits: buckets refill only when a test advances it.

import { afterEach, describe, expect, it } from 'vitest';
import { AgentHarness, echoExtension, errorCode, eur } from '@opentab/test-kit/merchant-agent';

const BURST = 3;
const PER_S = 5; // one token every 200 ms

describe('agent rate limits', () => {
  let harness: AgentHarness;
  afterEach(() => harness.close());

  it('refuses a burst beyond the limit with 429, rate_limited and Retry-After, buys nothing, and sells after the refill', async () => {
    harness = await AgentHarness.start({
      rateLimit: { customer: { perClient_per_s: PER_S, burst: BURST } },
      extensions: [echoExtension],
    });
    const tab = await harness.openTab();
    for (let i = 0; i < BURST; i++) expect((await harness.request('/info')).status).toBe(200);

    const purchase = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5);
    const refused = await harness.post('/purchase', purchase);
    expect([refused.status, errorCode(refused)]).toEqual([429, 'rate_limited']);
    expect(refused.headers.get('retry-after')).toBe('1');
    // A browser (the extension, a page) can read the refusal and its Retry-After.
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.headers.get('access-control-expose-headers')).toBe('retry-after');
    expect(await harness.agent.purchases(tab.tabId)).toEqual([]);
    expect((await harness.agent.tab(tab.tabId))?.status).toBe('open');

    // Refused before the body is read, whatever it is; terminate and an extension's routes share the limit.
    expect((await harness.post('/purchase', 'not json')).status).toBe(429);
    expect(
      (await harness.post('/terminate', tab.customer.terminate(tab.tabId, undefined, harness.clock.now_ms()))).status,
    ).toBe(429);
    expect((await harness.post('/echo', { type: 'echo', text: 'x' })).status).toBe(429);
    expect((await harness.agent.tab(tab.tabId))?.status).toBe('open');
    // A preflight is not counted: it is a static answer.
    expect((await harness.request('/purchase', { method: 'OPTIONS' })).status).toBe(204);

    harness.clock.advance(1000 / PER_S - 1);
    expect((await harness.post('/purchase', purchase)).status).toBe(429);
    harness.clock.advance(1); // the next token
    const sold = await harness.post('/purchase', purchase);
    expect(sold.status).toBe(200);
    expect(await harness.agent.purchases(tab.tabId)).toHaveLength(1);
  });

  it("a customer's flood does not throttle the MTA's routes from the same address", async () => {
    harness = await AgentHarness.start({ rateLimit: { customer: { perClient_per_s: 1, burst: 1 } } });
    for (let i = 0; i < 5; i++) await harness.request('/info');
    expect((await harness.request('/info')).status).toBe(429);
    for (let i = 0; i < 5; i++) {
      const tab = await harness.openTab();
      expect((await harness.agent.tab(tab.tabId))?.status).toBe('open');
    }
  });

  it('limits by the address clientAddress names, for a merchant behind a reverse proxy', async () => {
    harness = await AgentHarness.start({
      rateLimit: {
        customer: { perClient_per_s: 1, burst: 2 },
        clientAddress: (request) => String(request.headers['x-test-client']),
      },
    });
    const as = (client: string) => harness.request('/info', { headers: { 'x-test-client': client } });
    expect([
      (await as('198.51.100.1')).status,
      (await as('198.51.100.1')).status,
      (await as('198.51.100.1')).status,
    ]).toEqual([200, 200, 429]);
    expect((await as('198.51.100.2')).status).toBe(200);
  });

  it('limits each client a trusted proxy names apart, and ignores what a client wrote before the proxy', async () => {
    // The test's requests come from 127.0.0.1: here that is the proxy.
    harness = await AgentHarness.start({
      rateLimit: { customer: { perClient_per_s: 1, burst: 2 }, trustedProxies: ['127.0.0.1'] },
    });
    const as = (forwardedFor: string) => harness.request('/info', { headers: { 'x-forwarded-for': forwardedFor } });
    expect([
      (await as('198.51.100.1')).status,
      (await as('198.51.100.1')).status,
      (await as('198.51.100.1')).status,
    ]).toEqual([200, 200, 429]);
    expect((await as('198.51.100.2')).status).toBe(200);
    expect((await as('203.0.113.50, 198.51.100.1')).status).toBe(429);
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    harness = await AgentHarness.start({ rateLimit: { customer: { perClient_per_s: 1, burst: 2 } } });
    const as = (forwardedFor: string) => harness.request('/info', { headers: { 'x-forwarded-for': forwardedFor } });
    expect([
      (await as('198.51.100.1')).status,
      (await as('198.51.100.2')).status,
      (await as('198.51.100.3')).status,
    ]).toEqual([200, 200, 429]);
  });

  it('never bothers a person with the defaults', async () => {
    harness = await AgentHarness.start();
    const tab = await harness.openTab();
    for (let units = 1; units <= 30; units++) {
      const purchase = tab.customer.purchase(tab.tabId, 'article-1', eur('0.01'), 1);
      expect((await harness.request('/info')).status).toBe(200);
      const answer = await harness.post('/purchase', purchase);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      tab.customer.paid(purchase);
    }
  });
});
