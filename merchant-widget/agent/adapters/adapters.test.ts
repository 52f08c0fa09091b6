import express from 'express';
import Fastify from 'fastify';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Receipt } from '@opentab/protocol';
import { AgentHarness, eur, type OpenedTab } from '@opentab/test-kit/merchant-agent';
import { expressAdapter } from './express';
import { fastifyPlugin } from './fastify';

async function postJson(url: string, body: string, contentType = 'application/json') {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } });
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } & Partial<Receipt> };
}

describe('framework adapters', () => {
  let harness: AgentHarness;
  let tab: OpenedTab;
  let close: () => Promise<void>;

  beforeEach(async () => {
    harness = await AgentHarness.start();
    tab = await harness.openTab();
  });
  afterEach(async () => {
    await close();
    await harness.close();
  });

  async function listenExpress(app: express.Express): Promise<string> {
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    close = () => new Promise((resolve) => server.close(() => resolve()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** The purchase, info and refusal round trip every adapter must pass. */
  async function exerciseAgentAt(origin: string, options: { bodyParserBefore?: boolean } = {}): Promise<void> {
    const info = await fetch(`${origin}/opentab/info`);
    expect(info.status).toBe(200);
    expect(((await info.json()) as { merchantId: string }).merchantId).toBe('test-news');

    const purchase = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5);
    const accepted = await postJson(`${origin}/opentab/purchase`, JSON.stringify(purchase));
    expect(accepted.status).toBe(200);
    expect(harness.agent.verifyAccess(accepted.body.payload?.accessToken, 'article-2')).toBe(true);
    tab.customer.paid(purchase);

    // A body parser mounted before the agent answers malformed JSON itself, in its own format.
    if (!options.bodyParserBefore) {
      expect(await postJson(`${origin}/opentab/purchase`, '{"x"')).toMatchObject({
        status: 400,
        body: { error: { code: 'malformed_json' } },
      });
    }
    expect(await postJson(`${origin}/opentab/purchase`, 'x', 'text/plain')).toMatchObject({
      status: 415,
      body: { error: { code: 'unsupported_media_type' } },
    });
    const oversized = JSON.stringify({ padding: 'x'.repeat(20_000) });
    expect(await postJson(`${origin}/opentab/purchase`, oversized)).toMatchObject({
      status: 413,
      body: { error: { code: 'body_too_large' } },
    });
    const preflight = await fetch(`${origin}/opentab/purchase`, {
      method: 'OPTIONS',
      headers: { origin: 'chrome-extension://x', 'access-control-request-method': 'POST' },
    });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*']);

    const merchantRoute = await fetch(`${origin}/hello`);
    expect([merchantRoute.status, await merchantRoute.text()]).toEqual([200, 'merchant route']);
  }

  it('express: works behind a global express.json() and leaves other routes alone', async () => {
    const app = express();
    app.use(express.json());
    app.use(expressAdapter(harness.agent));
    app.get('/hello', (_request, response) => void response.send('merchant route'));
    await exerciseAgentAt(await listenExpress(app), { bodyParserBefore: true });
  });

  it('express: works mounted at its path', async () => {
    const app = express();
    app.use('/opentab', expressAdapter(harness.agent));
    app.get('/hello', (_request, response) => void response.send('merchant route'));
    await exerciseAgentAt(await listenExpress(app));
  });

  it('fastify: reads bodies itself and leaves other routes alone', async () => {
    const app = Fastify();
    await app.register(fastifyPlugin(harness.agent));
    app.get('/hello', async () => 'merchant route');
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    close = () => app.close();
    await exerciseAgentAt(origin);
  });
});
