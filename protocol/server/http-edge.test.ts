// The shared HTTP edge on a real server on 127.0.0.1, with a router of its own: what it answers,
// what it refuses before a handler runs, and when it waits for the disk.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { OpentabError, route } from '@opentab/protocol';
import { createHttpEdge, type HttpEdgeOptions } from './http-edge';
import { RateLimiter } from './rate-limiter';
import { bind, Router } from './router';

const NOTE = route({
  method: 'POST',
  path: '/notes/{book}',
  summary: 'Adds a note',
  auth: 'public',
  request: v.strictObject({ text: v.pipe(v.string(), v.maxLength(20)) }),
  response: v.object({ book: v.string(), text: v.string(), at_ms: v.number() }),
  maxBody_bytes: 64,
});
const PEEK = route({
  method: 'POST',
  path: '/peek',
  summary: 'Reads without writing',
  auth: 'public',
  request: v.strictObject({}),
  response: v.object({ notes: v.number() }),
  maxBody_bytes: 64,
});
const LIST = route({
  method: 'GET',
  path: '/notes',
  summary: 'Lists notes',
  auth: 'operator-signature',
  request: null,
  response: v.object({ book: v.string() }),
  query: v.strictObject({ book: v.string() }),
  maxBody_bytes: 0,
});
const FAIL = route({
  method: 'POST',
  path: '/fail/{how}',
  summary: 'Fails',
  auth: 'admin-token',
  request: null,
  response: v.object({}),
  maxBody_bytes: 0,
});

class ShelfFull extends Error {}

interface World {
  readonly url: string;
  readonly notes: string[];
  readonly defects: unknown[];
  readonly committed: string[];
  /** How often durable() was called. */
  syncs: number;
  /** Lets the pending syncs finish. */
  release(): void;
  elapse(by_ms: number): void;
}

let server: Server | null = null;

afterEach(() => {
  server?.close();
  server?.closeAllConnections();
  server = null;
});

async function serve(overrides: Partial<HttpEdgeOptions> = {}, holdSyncs = false): Promise<World> {
  let release = () => {};
  let synced = Promise.resolve();
  const renewSync = () => {
    synced = holdSyncs ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
  };
  renewSync();
  let clock_ms = 0;
  const limiter = new RateLimiter({ refill_per_s: 1, burst_tokens: 2, maxKeys: 10, clock: { now_ms: () => clock_ms } });
  const world = {
    url: '',
    notes: [] as string[],
    defects: [] as unknown[],
    committed: [] as string[],
    syncs: 0,
    release: () => release(),
    elapse: (by_ms: number) => void (clock_ms += by_ms),
  };
  const router = new Router([
    bind(
      NOTE,
      (body, { params }) => {
        if (params.book === 'full') throw new ShelfFull();
        world.notes.push(body.text);
        return { book: params.book!, text: body.text, at_ms: 1_000 };
      },
      { crossOrigin: true },
    ),
    bind(PEEK, () => ({ notes: world.notes.length }), { readOnly: true }),
    bind(LIST, (_, { query }) => ({ book: (query as { book: string }).book })),
    bind(FAIL, (_, { params }) => {
      if (params.how === 'defect') throw new TypeError('secret internals');
      throw new OpentabError('conflict', 'It failed as asked.');
    }),
  ]);
  const edge = createHttpEdge({
    router,
    limiterFor: (spec) => (spec.auth === 'operator-signature' ? limiter : null),
    clientAddress: (request) => request.socket.remoteAddress,
    clock: { now_ms: () => 1_000 },
    durable: () => {
      world.syncs++;
      return synced;
    },
    authorize: (spec, request) => {
      if (spec.auth === 'admin-token' && request.headers.authorization !== 'Bearer sesame')
        throw new OpentabError('unauthorized');
    },
    refusalOf: (error) => (error instanceof ShelfFull ? new OpentabError('insufficient_funds') : null),
    onDefect: (error) => world.defects.push(error),
    headers: { 'x-content-type-options': 'nosniff' },
    mountPath: '/api',
    afterCommit: (path) => world.committed.push(path),
    ...overrides,
  });
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://edge.invalid');
    void edge(request, response, { path: url.pathname.slice('/api'.length), query: url.searchParams });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  world.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  return world;
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, code: body.error.code, message: body.error.message };
}

describe('the HTTP edge', () => {
  it('answers a valid request with its handler, path parameters and common headers, after the disk has it', async () => {
    const world = await serve();
    const response = await postJson(`${world.url}/notes/travel`, { text: 'Lisbon' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ book: 'travel', text: 'Lisbon', at_ms: 1_000 });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(world.notes).toEqual(['Lisbon']);
    expect(world.syncs).toBe(1);
    expect(world.committed).toEqual(['/api/notes/travel']);
  });

  it('refuses a body that breaks the schema, is too large, is not JSON or not declared JSON, and runs nothing', async () => {
    const world = await serve();
    const url = `${world.url}/notes/travel`;
    expect(await errorOf(await postJson(url, { text: 'x'.repeat(21) }))).toMatchObject({
      status: 400,
      code: 'invalid_message',
    });
    expect(await errorOf(await postJson(url, { text: 'x', extra: 1 }))).toMatchObject({ code: 'invalid_message' });
    expect(await errorOf(await postJson(url, { text: 'x'.repeat(100) }))).toMatchObject({
      status: 413,
      code: 'body_too_large',
    });
    const notJson = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(await errorOf(notJson)).toMatchObject({ status: 400, code: 'malformed_json' });
    const plain = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(await errorOf(plain)).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    expect(world.notes).toEqual([]);
    expect(world.committed).toEqual([]);
  });

  it('refuses unknown paths and methods with stable codes, and answers a preflight where browsers call', async () => {
    const world = await serve();
    const missing = await fetch(`${world.url}/nothing`);
    expect(await errorOf(missing)).toEqual({
      status: 404,
      code: 'not_found',
      message: 'There is no endpoint GET /api/nothing.',
    });
    expect(missing.headers.get('access-control-allow-origin')).toBeNull();

    const wrongMethod = await fetch(`${world.url}/notes/travel`);
    expect(await errorOf(wrongMethod)).toMatchObject({ status: 405, code: 'method_not_allowed' });
    expect(wrongMethod.headers.get('allow')).toBe('POST, OPTIONS');
    const listByPost = await postJson(`${world.url}/notes`, {});
    expect(listByPost.status).toBe(405);
    expect(listByPost.headers.get('allow')).toBe('GET, HEAD');

    const preflight = await fetch(`${world.url}/notes/travel`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect((await fetch(`${world.url}/peek`, { method: 'OPTIONS' })).status).toBe(405);
  });

  it('answers CORS on unknown paths when told to', async () => {
    const world = await serve({ crossOriginUnknownPaths: true });
    const missing = await fetch(`${world.url}/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('checks the query against the route, refusing a name given twice; HEAD is GET without the body', async () => {
    const world = await serve();
    // The list route is rate limited (burst 2); each request here comes a second after the last.
    const get = (query: string, method = 'GET') => {
      world.elapse(1_000);
      return fetch(`${world.url}/notes?${query}`, { method });
    };
    expect(await (await get('book=travel')).json()).toEqual({ book: 'travel' });
    expect(await errorOf(await get('book=a&book=b'))).toMatchObject({
      status: 400,
      code: 'invalid_message',
      message: 'The query names book more than once.',
    });
    expect(await errorOf(await get('shelf=1'))).toMatchObject({ code: 'invalid_message' });
    const head = await get('book=travel', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(world.syncs).toBe(0);
  });

  it('limits the rate of the routes given a limiter, before anything else, until the clock refills it', async () => {
    const world = await serve();
    for (let i = 0; i < 2; i++) expect((await fetch(`${world.url}/notes?book=a`)).status).toBe(200);
    const refused = await fetch(`${world.url}/notes?book=a`);
    expect(await errorOf(refused)).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(refused.headers.get('retry-after')).toBe('1');
    // Unlimited routes go on.
    expect((await postJson(`${world.url}/notes/travel`, { text: 'x' })).status).toBe(200);
    world.elapse(1_000);
    expect((await fetch(`${world.url}/notes?book=a`)).status).toBe(200);
  });

  it('authorises before reading the body, and turns a role error into its refusal', async () => {
    const world = await serve();
    expect(await errorOf(await fetch(`${world.url}/fail/refusal`, { method: 'POST' }))).toMatchObject({
      status: 401,
      code: 'unauthorized',
    });
    const refusal = await fetch(`${world.url}/fail/refusal`, {
      method: 'POST',
      headers: { authorization: 'Bearer sesame' },
    });
    expect(await errorOf(refusal)).toEqual({ status: 409, code: 'conflict', message: 'It failed as asked.' });
    expect(await errorOf(await postJson(`${world.url}/notes/full`, { text: 'x' }))).toMatchObject({
      status: 422,
      code: 'insufficient_funds',
    });
    expect(world.defects).toEqual([]);
    expect(world.committed).toEqual([]);
  });

  it('answers a defect 500 internal_error, telling the role and not the caller', async () => {
    const world = await serve();
    const response = await fetch(`${world.url}/fail/defect`, {
      method: 'POST',
      headers: { authorization: 'Bearer sesame' },
    });
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'internal_error' } });
    expect(text).not.toContain('secret internals');
    expect(world.defects).toHaveLength(1);
    expect((world.defects[0] as Error).message).toBe('secret internals');
  });

  it('holds a POST answer (and a POST refusal) back until the disk has it; a read-only POST does not wait', async () => {
    const world = await serve({}, true);
    let answered = false;
    const answer = postJson(`${world.url}/notes/travel`, { text: 'Oslo' }).then((response) => {
      answered = true;
      return response.status;
    });
    while (world.syncs === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const peek = await postJson(`${world.url}/peek`, {});
    expect(await peek.json()).toEqual({ notes: 1 });
    expect(world.syncs).toBe(1);
    expect(answered).toBe(false);
    expect(world.committed).toEqual([]);
    world.release();
    expect(await answer).toBe(200);
    expect(world.committed).toEqual(['/api/notes/travel']);
  });
});
