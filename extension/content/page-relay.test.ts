import { describe, expect, it, vi } from 'vitest';
import { EXTENSION_RESPONSE_EVENT, EXTENSION_TO_PAGE, PAGE_TO_EXTENSION } from '@opentab/protocol';
import { PAGE_CALL_CHANNEL } from '../messaging/page-calls';
import { relayPageEvent, relayPageMessage, type RelayWindow } from './page-relay';

function pageWindow() {
  const posted: { message: unknown; targetOrigin: string }[] = [];
  /** Response events raised on the window: type and detail parsed back from its JSON text. */
  const raised: { type: string; message: unknown }[] = [];
  const target: RelayWindow = {
    location: { origin: 'https://news.example' },
    postMessage: (message, targetOrigin) => posted.push({ message, targetOrigin }),
    dispatchEvent: (event) => {
      const { detail } = event as CustomEvent<unknown>;
      raised.push({ type: event.type, message: typeof detail === 'string' ? JSON.parse(detail) : detail });
      return true;
    },
  };
  return { target, posted, raised };
}

const request = {
  channel: PAGE_TO_EXTENSION,
  requestId: 'r1',
  call: 'tabStatus',
  params: { merchantId: 'news', operatorId: 'op-eur' },
};

describe('relayPageMessage', () => {
  it('relays a page call and posts the answer to the page origin only', async () => {
    const { target, posted } = pageWindow();
    const send = vi.fn(async () => ({ ok: true, value: { open: false } }));
    await relayPageMessage({ source: target, data: request }, target, send);
    expect(send).toHaveBeenCalledWith({ channel: PAGE_CALL_CHANNEL, call: 'tabStatus', params: request.params });
    expect(posted).toEqual([
      {
        message: { channel: EXTENSION_TO_PAGE, requestId: 'r1', ok: true, result: { open: false } },
        targetOrigin: 'https://news.example',
      },
    ]);
  });

  it('ignores messages from other windows and other channels', async () => {
    const { target, posted } = pageWindow();
    const send = vi.fn(async () => ({ ok: true, value: {} }));
    await relayPageMessage({ source: {}, data: request }, target, send);
    await relayPageMessage({ source: target, data: { ...request, channel: EXTENSION_TO_PAGE } }, target, send);
    await relayPageMessage({ source: target, data: 'hello' }, target, send);
    expect(send).not.toHaveBeenCalled();
    expect(posted).toEqual([]);
  });

  it('answers an unknown call with invalid_request without bothering the background', async () => {
    const { target, posted } = pageWindow();
    const send = vi.fn();
    await relayPageMessage({ source: target, data: { ...request, call: 'exportBackup' } }, target, send);
    expect(send).not.toHaveBeenCalled();
    expect(posted[0]?.message).toMatchObject({ requestId: 'r1', ok: false, error: { code: 'invalid_request' } });
  });

  it('tells a page that says hello that the extension is here at once, before the background has answered', async () => {
    const { target, posted } = pageWindow();
    let answerHello: (result: unknown) => void = () => undefined;
    const send = vi.fn(() => new Promise<unknown>((resolve) => (answerHello = resolve)));
    const relayed = relayPageMessage(
      { source: target, data: { channel: PAGE_TO_EXTENSION, requestId: 'h1', call: 'hello', params: {} } },
      target,
      send,
    );
    expect(posted).toEqual([
      { message: { channel: EXTENSION_TO_PAGE, presence: 'hello-received' }, targetOrigin: 'https://news.example' },
    ]);
    answerHello({ ok: true, value: { protocolVersion: 5, walletState: 'ready' } });
    await relayed;
    expect(posted.map((entry) => entry.message)).toEqual([
      { channel: EXTENSION_TO_PAGE, presence: 'hello-received' },
      { channel: EXTENSION_TO_PAGE, requestId: 'h1', ok: true, result: { protocolVersion: 5, walletState: 'ready' } },
    ]);
  });

  it('posts no presence notice for any other call, nor for a hello that is not ours or not well-formed', async () => {
    const { target, posted } = pageWindow();
    const send = vi.fn(async () => ({ ok: true, value: { open: false } }));
    await relayPageMessage({ source: target, data: request }, target, send);
    await relayPageMessage(
      { source: {}, data: { channel: PAGE_TO_EXTENSION, requestId: 'h1', call: 'hello', params: {} } },
      target,
      send,
    );
    await relayPageMessage(
      { source: target, data: { channel: 'someone-else', requestId: 'h2', call: 'hello', params: {} } },
      target,
      send,
    );
    await relayPageMessage(
      { source: target, data: { channel: PAGE_TO_EXTENSION, requestId: 'bad id!', call: 'hello', params: {} } },
      target,
      send,
    );
    expect(posted.filter((entry) => 'presence' in (entry.message as object))).toEqual([]);
  });

  it('passes refusals through and reports a silent background', async () => {
    const { target, posted } = pageWindow();
    await relayPageMessage({ source: target, data: request }, target, async () => ({
      ok: false,
      error: { code: 'wallet_locked', message: 'locked' },
    }));
    await relayPageMessage({ source: target, data: request }, target, async () => {
      throw new Error('Could not establish connection');
    });
    expect(posted.map((entry) => entry.message)).toEqual([
      { channel: EXTENSION_TO_PAGE, requestId: 'r1', ok: false, error: { code: 'wallet_locked', message: 'locked' } },
      { channel: EXTENSION_TO_PAGE, requestId: 'r1', ok: false, error: expect.objectContaining({ code: 'internal' }) },
    ]);
  });
});

describe('relayPageEvent (the request event: a PageRequest as JSON text)', () => {
  const pay = {
    channel: PAGE_TO_EXTENSION,
    requestId: 'p1',
    call: 'pay',
    params: { merchantId: 'news', operatorId: 'op-eur', itemId: 'a1', price: { currency: 'EUR', value: '0.05' } },
  };

  it('relays a pay request and answers with the response event (JSON text), posting nothing', async () => {
    const { target, posted, raised } = pageWindow();
    const receipt = { payload: { type: 'receipt' }, kid: 'k', sig: 's' };
    const send = vi.fn(async () => ({ ok: true, value: { receipt } }));
    await relayPageEvent(JSON.stringify(pay), target, send);
    expect(send).toHaveBeenCalledWith({ channel: PAGE_CALL_CHANNEL, call: 'pay', params: pay.params });
    expect(raised).toEqual([
      {
        type: EXTENSION_RESPONSE_EVENT,
        message: { channel: EXTENSION_TO_PAGE, requestId: 'p1', ok: true, result: { receipt } },
      },
    ]);
    expect(posted).toEqual([]);
  });

  it('reports a silent background with the response event too', async () => {
    const { target, raised } = pageWindow();
    await relayPageEvent(JSON.stringify(pay), target, async () => {
      throw new Error('Could not establish connection');
    });
    expect(raised).toEqual([
      {
        type: EXTENSION_RESPONSE_EVENT,
        message: {
          channel: EXTENSION_TO_PAGE,
          requestId: 'p1',
          ok: false,
          error: expect.objectContaining({ code: 'internal' }),
        },
      },
    ]);
  });

  it('sends to the background before the page’s task ends', () => {
    const { target } = pageWindow();
    const send = vi.fn(() => new Promise<unknown>(() => undefined));
    void relayPageEvent(JSON.stringify(pay), target, send);
    // No await: the content script hears the event inside the page's click, and must not wait for a later task.
    expect(send).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['an object instead of JSON text', pay],
    ['null', null],
    ['a number', 42],
    ['text that is not JSON', '{"channel":"opentab:page",'],
    ['JSON of another channel', JSON.stringify({ ...pay, channel: EXTENSION_TO_PAGE })],
    ['JSON that is not an object', JSON.stringify('opentab:page')],
    ['an oversized detail', JSON.stringify({ ...pay, params: { ...pay.params, itemId: 'x'.repeat(70_000) } })],
  ])('ignores %s without answering or bothering the background', async (_case, detail) => {
    const { target, posted, raised } = pageWindow();
    const send = vi.fn();
    await relayPageEvent(detail, target, send);
    expect(send).not.toHaveBeenCalled();
    expect(posted).toEqual([]);
    expect(raised).toEqual([]);
  });

  it('answers a malformed request on our channel with invalid_request, as for a posted one', async () => {
    const { target, raised } = pageWindow();
    const send = vi.fn();
    await relayPageEvent(JSON.stringify({ ...pay, params: { itemId: 'a1' }, extra: true }), target, send);
    await relayPageEvent(JSON.stringify({ ...pay, requestId: 'p2', call: 'exportBackup' }), target, send);
    expect(send).not.toHaveBeenCalled();
    expect(raised.map((entry) => entry.message)).toEqual([
      expect.objectContaining({
        requestId: 'p1',
        ok: false,
        error: expect.objectContaining({ code: 'invalid_request' }),
      }),
      expect.objectContaining({
        requestId: 'p2',
        ok: false,
        error: expect.objectContaining({ code: 'invalid_request' }),
      }),
    ]);
  });
});
