import { describe, expect, it, vi } from 'vitest';
import { EXTENSION_TO_PAGE, PAGE_TO_EXTENSION } from '../../protocol/messages/bridge';
import { PAGE_CALL_CHANNEL } from '../messaging/page-calls';
import { relayPageMessage, type RelayWindow } from './page-relay';

function pageWindow() {
  const posted: { message: unknown; targetOrigin: string }[] = [];
  const target: RelayWindow = {
    location: { origin: 'https://news.example' },
    postMessage: (message, targetOrigin) => posted.push({ message, targetOrigin }),
  };
  return { target, posted };
}

const request = { channel: PAGE_TO_EXTENSION, requestId: 'r1', call: 'tabStatus', params: { merchantId: 'news', operatorId: 'op-eur' } };

describe('relayPageMessage', () => {
  it('relays a page call and posts the answer to the page origin only', async () => {
    const { target, posted } = pageWindow();
    const send = vi.fn(async () => ({ ok: true, value: { open: false } }));
    await relayPageMessage({ source: target, data: request }, target, send);
    expect(send).toHaveBeenCalledWith({ channel: PAGE_CALL_CHANNEL, call: 'tabStatus', params: request.params });
    expect(posted).toEqual([
      { message: { channel: EXTENSION_TO_PAGE, requestId: 'r1', ok: true, result: { open: false } }, targetOrigin: 'https://news.example' },
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

  it('passes refusals through and reports a silent background', async () => {
    const { target, posted } = pageWindow();
    await relayPageMessage({ source: target, data: request }, target, async () => ({ ok: false, error: { code: 'wallet_locked', message: 'locked' } }));
    await relayPageMessage({ source: target, data: request }, target, async () => {
      throw new Error('Could not establish connection');
    });
    expect(posted.map((entry) => entry.message)).toEqual([
      { channel: EXTENSION_TO_PAGE, requestId: 'r1', ok: false, error: { code: 'wallet_locked', message: 'locked' } },
      { channel: EXTENSION_TO_PAGE, requestId: 'r1', ok: false, error: expect.objectContaining({ code: 'internal' }) },
    ]);
  });
});
