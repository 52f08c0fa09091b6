import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as v from 'valibot';
import { EXTENSION_RESPONSE_EVENT, PAGE_REQUEST_EVENT, PageRequest } from '@opentab/protocol';
import { CALL_TIMEOUT_MS, createBridgeClient, type BridgeMessageEvent, type BridgeWindow } from './bridge-client';
import { OpentabError } from './errors';

// The request/response matching of the bridge, against a scripted window instead of a browser.

const ORIGIN = 'https://shop.example';

class ScriptedWindow implements BridgeWindow {
  readonly location = { origin: ORIGIN };
  readonly posted: Array<{ message: unknown; targetOrigin: string }> = [];
  readonly dispatched: Event[] = [];
  /** Every request in the order sent, whichever way: posted, or raised as the request event. */
  readonly sent: Array<{ transport: 'message' | 'event'; message: unknown }> = [];
  private readonly listeners: Array<(event: BridgeMessageEvent) => void> = [];
  private readonly responseListeners: Array<(event: Event) => void> = [];

  postMessage(message: unknown, targetOrigin: string): void {
    this.posted.push({ message, targetOrigin });
    this.sent.push({ transport: 'message', message });
  }

  dispatchEvent(event: Event): boolean {
    this.dispatched.push(event);
    const { detail } = event as CustomEvent<unknown>;
    this.sent.push({ transport: 'event', message: typeof detail === 'string' ? JSON.parse(detail) : detail });
    return true;
  }

  addEventListener(type: 'message', listener: (event: BridgeMessageEvent) => void): void;
  addEventListener(type: typeof EXTENSION_RESPONSE_EVENT, listener: (event: Event) => void): void;
  addEventListener(type: string, listener: ((event: BridgeMessageEvent) => void) | ((event: Event) => void)): void {
    if (type === 'message') this.listeners.push(listener as (event: BridgeMessageEvent) => void);
    else if (type === EXTENSION_RESPONSE_EVENT) this.responseListeners.push(listener as (event: Event) => void);
    else throw new Error(`unexpected listener for ${type}`);
  }

  /** Raises the response event as the content script does; `detail` as given. */
  raiseResponse(detail: unknown): void {
    const event = new CustomEvent(EXTENSION_RESPONSE_EVENT, { detail });
    for (const listener of this.responseListeners) listener(event);
  }

  /** Delivers a message as the browser would; by default as if the content script posted it. */
  deliver(data: unknown, from: Partial<Omit<BridgeMessageEvent, 'data'>> = {}): void {
    const event = { data, origin: from.origin ?? ORIGIN, source: 'source' in from ? from.source : this };
    for (const listener of this.listeners) listener(event);
  }

  lastRequestId(): string {
    const last = this.sent.at(-1)?.message as { requestId: string };
    return last.requestId;
  }

  answer(fields: Record<string, unknown>, from?: Partial<Omit<BridgeMessageEvent, 'data'>>): void {
    this.deliver({ channel: 'opentab:extension', requestId: this.lastRequestId(), ...fields }, from);
  }
}

const HELLO = { protocolVersion: 2, walletState: 'ready' };
const HELLO_V1 = { protocolVersion: 1, walletState: 'ready' };
const TAB = { merchantId: 'demo-news', operatorId: 'op-eu' };

let page: ScriptedWindow;

beforeEach(() => {
  page = new ScriptedWindow();
});

afterEach(() => {
  vi.useRealTimers();
});

async function rejection(promise: Promise<unknown>): Promise<OpentabError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(OpentabError);
  return error as OpentabError;
}

describe('bridge client', () => {
  it('posts a protocol PageRequest to the page’s own origin', () => {
    const bridge = createBridgeClient(page);
    void bridge.call('tabStatus', { merchantId: 'demo-news', operatorId: 'op-eu' });
    expect(page.posted).toHaveLength(1);
    const [{ message, targetOrigin }] = page.posted as [{ message: unknown; targetOrigin: string }];
    expect(targetOrigin).toBe(ORIGIN);
    expect(v.parse(PageRequest, message)).toMatchObject({
      channel: 'opentab:page',
      call: 'tabStatus',
      params: { merchantId: 'demo-news', operatorId: 'op-eu' },
    });
  });

  it('uses a fresh request id for every call', () => {
    const bridge = createBridgeClient(page);
    for (let call = 0; call < 50; call++) void bridge.call('hello', {});
    const ids = page.posted.map((posted) => (posted.message as { requestId: string }).requestId);
    expect(new Set(ids).size).toBe(50);
  });

  it('resolves with the result that carries its request id', async () => {
    const bridge = createBridgeClient(page);
    const hello = bridge.call('hello', {});
    page.answer({ ok: true, result: HELLO });
    await expect(hello).resolves.toEqual(HELLO);
  });

  it('hands presence notices from this window to its listeners, settling no call', async () => {
    const bridge = createBridgeClient(page);
    const heard: string[] = [];
    bridge.onPresence((presence) => heard.push(presence));
    const hello = bridge.call('hello', {});
    page.deliver({ channel: 'opentab:extension', presence: 'hello-received' });
    page.deliver({ channel: 'opentab:extension', presence: 'arrived' });
    page.deliver({ channel: 'opentab:extension', presence: 'arrived' }, { source: {} });
    page.deliver({ channel: 'opentab:extension', presence: 'arrived' }, { origin: 'https://elsewhere.example' });
    page.deliver({ channel: 'opentab:page', presence: 'arrived' });
    page.deliver({ channel: 'opentab:extension', presence: 'something-else' });
    expect(heard).toEqual(['hello-received', 'arrived']);
    page.answer({ ok: true, result: HELLO });
    await expect(hello).resolves.toEqual(HELLO);
  });

  it('matches concurrent answers to their calls whatever the order', async () => {
    const bridge = createBridgeClient(page);
    const first = bridge.call('closeTab', { merchantId: 'demo-news', operatorId: 'op-eu' });
    const firstId = page.lastRequestId();
    const second = bridge.call('closeTab', { merchantId: 'demo-news', operatorId: 'op-eu' });
    page.answer({ ok: true, result: { closed: false } });
    page.deliver({ channel: 'opentab:extension', requestId: firstId, ok: true, result: { closed: true } });
    await expect(first).resolves.toEqual({ closed: true });
    await expect(second).resolves.toEqual({ closed: false });
  });

  it('ignores answers from another window, another origin, another channel or an unknown id', async () => {
    vi.useFakeTimers();
    const bridge = createBridgeClient(page);
    const hello = bridge.call('hello', {});
    page.answer({ ok: true, result: HELLO }, { source: {} });
    page.answer({ ok: true, result: HELLO }, { source: null });
    page.answer({ ok: true, result: HELLO }, { origin: 'https://evil.example' });
    page.deliver({ channel: 'opentab:page', requestId: page.lastRequestId(), ok: true, result: HELLO });
    page.deliver({ channel: 'opentab:extension', requestId: 'someone-else', ok: true, result: HELLO });
    page.deliver('not an object');
    vi.advanceTimersByTime(CALL_TIMEOUT_MS.hello);
    expect((await rejection(hello)).code).toBe('timeout');
  });

  it('rejects with the code and message of an error answer', async () => {
    const bridge = createBridgeClient(page);
    const pay = bridge.call('pay', {
      merchantId: 'm',
      operatorId: 'o',
      itemId: 'a',
      price: { currency: 'EUR', value: '0.05' },
    });
    page.answer({ ok: false, error: { code: 'declined_by_customer', message: 'You declined.' } });
    const error = await rejection(pay);
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'declined_by_customer',
      message: 'You declined.',
    });
  });

  it('reports an error code it does not know as internal, keeping the message', async () => {
    const bridge = createBridgeClient(page);
    const hello = bridge.call('hello', {});
    page.answer({ ok: false, error: { code: 'brand_new_code', message: 'Something new.' } });
    const error = await rejection(hello);
    expect({ code: error.code, message: error.message }).toEqual({ code: 'internal', message: 'Something new.' });
  });

  it.each([
    ['a result of the wrong shape', { ok: true, result: { protocolVersion: '1', walletState: 'ready' } }],
    ['an unknown wallet state', { ok: true, result: { protocolVersion: 1, walletState: 'asleep' } }],
    ['no result', { ok: true }],
    ['an error without a message', { ok: false, error: { code: 'busy' } }],
    ['neither ok nor error', { result: HELLO }],
  ])('rejects %s as invalid_response', async (_case, fields) => {
    const bridge = createBridgeClient(page);
    const hello = bridge.call('hello', {});
    page.answer(fields);
    expect((await rejection(hello)).code).toBe('invalid_response');
  });

  it('gives each call its own timeout: pay waits for the customer, hello does not', async () => {
    vi.useFakeTimers();
    const bridge = createBridgeClient(page);
    const pay = bridge.call('pay', {
      merchantId: 'm',
      operatorId: 'o',
      itemId: 'a',
      price: { currency: 'EUR', value: '0.05' },
    });
    const payId = page.lastRequestId();
    const hello = bridge.call('hello', {});
    vi.advanceTimersByTime(CALL_TIMEOUT_MS.hello);
    expect((await rejection(hello)).code).toBe('timeout');
    vi.advanceTimersByTime(CALL_TIMEOUT_MS.pay - CALL_TIMEOUT_MS.hello - 1);
    page.deliver({
      channel: 'opentab:extension',
      requestId: payId,
      ok: false,
      error: { code: 'busy', message: 'Busy.' },
    });
    expect((await rejection(pay)).code).toBe('busy');
    expect(CALL_TIMEOUT_MS.pay).toBeGreaterThanOrEqual(60_000);
  });

  it('posts every call until hello has answered', () => {
    const bridge = createBridgeClient(page);
    void bridge.call('tabStatus', TAB);
    void bridge.call('hello', {});
    expect(page.sent.map((request) => request.transport)).toEqual(['message', 'message']);
    expect(page.dispatched).toEqual([]);
  });

  it('raises the request event on window once hello answered protocol 2, with the PageRequest as JSON text', async () => {
    const bridge = createBridgeClient(page);
    const hello = bridge.call('hello', {});
    page.answer({ ok: true, result: HELLO });
    await hello;
    const pay = bridge.call('pay', {
      merchantId: 'm',
      operatorId: 'o',
      itemId: 'a',
      price: { currency: 'EUR', value: '0.05' },
    });
    expect(page.posted).toHaveLength(1);
    const [event] = page.dispatched as [CustomEvent<unknown>];
    expect(event).toBeInstanceOf(CustomEvent);
    expect(event.type).toBe(PAGE_REQUEST_EVENT);
    expect(typeof event.detail).toBe('string');
    expect(v.parse(PageRequest, JSON.parse(event.detail as string))).toMatchObject({
      channel: 'opentab:page',
      call: 'pay',
      params: { itemId: 'a' },
    });
    // Answered as before: by a message the content script posts.
    page.answer({ ok: false, error: { code: 'busy', message: 'Busy.' } });
    expect((await rejection(pay)).code).toBe('busy');
    const close = bridge.call('closeTab', TAB);
    expect(page.sent.at(-1)?.transport).toBe('event');
    page.answer({ ok: true, result: { closed: true } });
    await expect(close).resolves.toEqual({ closed: true });
    // hello itself is always posted: the content script answering it may not be the one that answered before.
    void bridge.call('hello', {});
    expect(page.sent.at(-1)?.transport).toBe('message');
  });

  it('takes an answer raised as the response event (JSON text), and ignores one that is not', async () => {
    vi.useFakeTimers();
    const bridge = createBridgeClient(page);
    const hello = bridge.call('hello', {});
    page.answer({ ok: true, result: HELLO });
    await hello;
    const close = bridge.call('closeTab', TAB);
    const requestId = page.lastRequestId();
    const answer = { channel: 'opentab:extension', requestId, ok: true, result: { closed: true } };
    page.raiseResponse(answer); // an object, not JSON text
    page.raiseResponse('{"channel":"opentab:extension",');
    page.raiseResponse(JSON.stringify({ ...answer, channel: 'opentab:page' }));
    page.raiseResponse(JSON.stringify({ ...answer, requestId: 'someone-else' }));
    page.raiseResponse(JSON.stringify(answer));
    await expect(close).resolves.toEqual({ closed: true });

    const status = bridge.call('tabStatus', TAB);
    page.raiseResponse(JSON.stringify({ ...answer, requestId: 'someone-else' }));
    vi.advanceTimersByTime(CALL_TIMEOUT_MS.tabStatus);
    expect((await rejection(status)).code).toBe('timeout');
  });

  it('keeps posting to an extension of protocol 1, and goes back to posting when hello says 1 again', async () => {
    const bridge = createBridgeClient(page);
    let hello = bridge.call('hello', {});
    page.answer({ ok: true, result: HELLO_V1 });
    await hello;
    void bridge.call('tabStatus', TAB);
    expect(page.sent.at(-1)?.transport).toBe('message');
    hello = bridge.call('hello', {});
    page.answer({ ok: true, result: HELLO });
    await hello;
    void bridge.call('tabStatus', TAB);
    expect(page.sent.at(-1)?.transport).toBe('event');
    hello = bridge.call('hello', {});
    page.answer({ ok: true, result: HELLO_V1 });
    await hello;
    void bridge.call('tabStatus', TAB);
    expect(page.sent.at(-1)?.transport).toBe('message');
  });

  it('drops an answer that arrives after its call timed out', async () => {
    vi.useFakeTimers();
    const bridge = createBridgeClient(page);
    const hello = bridge.call('hello', {});
    vi.advanceTimersByTime(CALL_TIMEOUT_MS.hello);
    expect((await rejection(hello)).code).toBe('timeout');
    expect(() => page.answer({ ok: true, result: HELLO })).not.toThrow();
  });
});
