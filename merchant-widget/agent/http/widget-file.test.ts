import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHarness } from '@opentab/test-kit/merchant-agent';

/** A GET with exactly these headers (fetch would add its own Accept-Encoding and decompress). */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

describe('widget.js', () => {
  let harness: AgentHarness;
  let widgetDir: string;
  const script = `/* widget */ ${'console.log("opentab");\n'.repeat(200)}`;

  beforeAll(async () => {
    widgetDir = mkdtempSync(join(tmpdir(), 'opentab-widget-'));
    writeFileSync(join(widgetDir, 'widget.js'), script);
    harness = await AgentHarness.start({ widgetFilePath: join(widgetDir, 'widget.js') });
  });
  afterAll(async () => {
    await harness.close();
    rmSync(widgetDir, { recursive: true, force: true });
  });

  it('is gzipped for a browser that takes gzip, and plain otherwise', async () => {
    const url = `${harness.agentUrl}/widget.js`;
    const gzipped = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect([gzipped.status, gzipped.headers['content-encoding'], gzipped.headers.vary]).toEqual([
      200,
      'gzip',
      'Accept-Encoding',
    ]);
    expect(Number(gzipped.headers['content-length'])).toBe(gzipped.body.length);
    expect(gzipped.body.length).toBeLessThan(script.length / 10);
    expect(gunzipSync(gzipped.body).toString()).toBe(script);

    const plain = await get(url, {});
    expect([plain.status, plain.headers['content-encoding'], plain.body.toString()]).toEqual([200, undefined, script]);
    expect((await get(url, { 'accept-encoding': 'gzip;q=0, identity' })).headers['content-encoding']).toBeUndefined();
  });

  it('answers a revalidation with 304 and no body until the file changes', async () => {
    const url = `${harness.agentUrl}/widget.js`;
    const first = await get(url, {});
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(first.headers['cache-control']).toBe('no-cache');

    const revalidated = await get(url, { 'if-none-match': etag });
    expect([revalidated.status, revalidated.body.length, revalidated.headers.etag]).toEqual([304, 0, etag]);
    expect(revalidated.headers['access-control-allow-origin']).toBe('*');

    writeFileSync(join(widgetDir, 'widget.js'), `${script}// rebuilt\n`);
    const rebuilt = await get(url, { 'if-none-match': etag });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.headers.etag).not.toBe(etag);
    expect(rebuilt.body.toString()).toBe(`${script}// rebuilt\n`);
  });
});
