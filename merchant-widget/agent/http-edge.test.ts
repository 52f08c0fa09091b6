import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_BODY_BYTES } from '@opentab/protocol';
import { MerchantInfo } from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import { AgentHarness, errorCode, eur, type OpenedTab } from '@opentab/test-kit/merchant-agent';

/** A POST whose body arrives in chunks without a content-length, as a streaming client sends it. */
function postChunked(url: string, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

describe('the agent HTTP edge', () => {
  let harness: AgentHarness;
  let widgetDir: string;
  let tab: OpenedTab;

  beforeAll(async () => {
    widgetDir = mkdtempSync(join(tmpdir(), 'opentab-widget-'));
    harness = await AgentHarness.start({ widgetFilePath: join(widgetDir, 'widget.js') });
    tab = await harness.openTab();
  });
  afterAll(async () => {
    await harness.close();
    rmSync(widgetDir, { recursive: true, force: true });
  });

  it('serves MerchantInfo with the catalogue prices, readable cross-origin', async () => {
    const answer = await harness.request('/info');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    const parsed = parseMessage(MerchantInfo, answer.body);
    expect(parsed.ok).toBe(true);
    expect(answer.body).toMatchObject({
      merchantId: 'test-news',
      operatorId: harness.mta.operatorId,
      displayName: 'Test News',
      currency: 'EUR',
    });
    expect((answer.body as MerchantInfo).catalogue).toContainEqual({
      itemId: 'article-2',
      title: 'A five-cent article',
      price: eur('0.05'),
      kind: 'entitlement',
      access_s: 2_592_000,
    });
    expect((answer.body as MerchantInfo).catalogue).toContainEqual({
      itemId: 'article-3',
      title: 'A long read',
      price: eur('0.25'),
      kind: 'entitlement',
      access_s: 604_800,
    });
    expect((answer.body as MerchantInfo).catalogue).toContainEqual({
      itemId: 'tip-1',
      title: 'A tip for the author',
      price: eur('0.10'),
      kind: 'consumable',
    });
    // 0.01, 0.05, 0.25, 1.00 and 0.10: one cent is the largest unit every price is a whole number of.
    expect((answer.body as MerchantInfo).chainUnit).toEqual(eur('0.01'));
  });

  it('answers CORS preflight for the browser routes and not for the MTA routes', async () => {
    const preflight = {
      method: 'OPTIONS',
      headers: {
        origin: 'chrome-extension://abcdefghijklmnop',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    };
    for (const path of ['/info', '/purchase', '/terminate', '/widget.js']) {
      const answer = await harness.request(path, preflight);
      expect(answer.status, path).toBe(204);
      expect(answer.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(answer.headers.get('access-control-allow-methods'), path).toContain('POST');
      expect(answer.headers.get('access-control-allow-headers'), path).toContain('content-type');
      expect(answer.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
    const mta = await harness.request('/mta/tab-information', preflight);
    expect(mta.status).toBe(405);
    expect(mta.headers.get('access-control-allow-origin')).toBeNull();
    const refusal = await harness.post('/purchase', '{', { origin: 'moz-extension://1234' });
    expect(refusal.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuses malformed JSON, wrong content types, schema violations and empty bodies with 4xx codes', async () => {
    const purchase = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5);
    expect([
      (await harness.post('/purchase', '{"type":')).status,
      errorCode(await harness.post('/purchase', '{"type":')),
    ]).toEqual([400, 'malformed_json']);
    const asText = await harness.request('/purchase', {
      method: 'POST',
      body: JSON.stringify(purchase),
      headers: { 'content-type': 'text/plain' },
    });
    expect([asText.status, errorCode(asText)]).toEqual([415, 'unsupported_media_type']);
    expect(errorCode(await harness.post('/purchase', { ...purchase, extra: 1 }))).toBe('invalid_message');
    expect(errorCode(await harness.post('/purchase', { ...purchase, seq: '1' }))).toBe('invalid_message');
    expect(errorCode(await harness.post('/purchase', ''))).toBe('malformed_json');
    expect(errorCode(await harness.post('/mta/tab-information', []))).toBe('invalid_message');
    expect((await harness.agent.tab(tab.tabId))?.purchaseCount).toBe(0);
  });

  it('refuses bodies larger than the route allows, declared or streamed', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(SMALL_BODY_BYTES) });
    const declared = await harness.post('/purchase', big);
    expect([declared.status, errorCode(declared)]).toEqual([413, 'body_too_large']);
    const streamed = await postChunked(
      `${harness.agentUrl}/terminate`,
      Array.from({ length: 20 }, () => 'x'.repeat(1024)),
    );
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ error: { code: 'body_too_large' } });
  });

  it('answers unknown endpoints with 404, wrong methods with 405, and leaves other paths to the merchant', async () => {
    expect([(await harness.request('/nope')).status, errorCode(await harness.request('/nope'))]).toEqual([
      404,
      'not_found',
    ]);
    const wrongMethod = await harness.request('/purchase');
    expect([wrongMethod.status, errorCode(wrongMethod)]).toEqual([405, 'method_not_allowed']);
    expect(wrongMethod.headers.get('allow')).toContain('POST');
    expect(errorCode(await harness.post('/info', {}))).toBe('method_not_allowed');
    const outside = await fetch(`${harness.origin}/opentabby/info`);
    expect([outside.status, await outside.text()]).toEqual([404, 'not the agent']);
  });

  it('serves the built widget, or a clear 404 while it is not built', async () => {
    const missing = await harness.request('/widget.js');
    expect([missing.status, errorCode(missing)]).toEqual([404, 'not_found']);
    expect((missing.body as { error: { message: string } }).error.message).toMatch(/widget has not been built/);
    writeFileSync(join(widgetDir, 'widget.js'), 'console.log("widget");');
    const served = await harness.request('/widget.js?v=1');
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(served.body).toBe('console.log("widget");');
  });

  it('sends the widget\'s "get Opentab" link where the merchant configured it, and serves its own page otherwise', async () => {
    const page = await harness.request('/install');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(page.body).toMatch(/<h1>Pay .+ with Opentab<\/h1>/);
    expect(page.body).toContain('Load unpacked');
    expect(page.body).toContain('Load Temporary Add-on');
    const configured = await AgentHarness.start({ extensionInstallUrl: '/get-opentab' });
    try {
      const response = await fetch(`${configured.agentUrl}/install`, { redirect: 'manual' });
      expect([response.status, response.headers.get('location')]).toEqual([302, '/get-opentab']);
    } finally {
      await configured.close();
    }
  });

  it('never answers 500 and never changes a tab, whatever the body', async () => {
    const paths = ['/purchase', '/receipts', '/terminate', '/mta/tab-information', '/mta/tab-cleared'];
    const purchase = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5);
    const bodies = fc.oneof(
      fc.json(),
      fc.string(),
      fc.record({ ...Object.fromEntries(Object.keys(purchase).map((key) => [key, fc.anything()])) }),
      fc.constantFrom(
        JSON.stringify({ ...purchase, price: { currency: 'EUR', value: '1e3' } }),
        JSON.stringify({ ...purchase, chainIndex: 1e308 }),
        '{"__proto__":{"x":1}}',
        'null',
        '[]',
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), bodies, async (path, body) => {
        const answer = await harness.post(path, typeof body === 'string' ? body : JSON.stringify(body));
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    expect(await harness.agent.tab(tab.tabId)).toMatchObject({ status: 'open', purchaseCount: 0 });
  });
});
