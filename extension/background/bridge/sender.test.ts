import { describe, expect, it, vi } from 'vitest';
import { PAGE_CALL_CHANNEL } from '../../messaging/page-calls';
import { UI_CALL_CHANNEL } from '../../messaging/ui-calls';
import { routeMessage } from './message-router';
import { classifySender } from './sender';

const extension = {
  id: 'abcdefghijklmnopabcdefghijklmnop',
  baseUrl: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/',
};
const popup = { id: extension.id, url: `${extension.baseUrl}popup/popup.html` };
const contentScript = {
  id: extension.id,
  url: 'https://news.example/article/1',
  origin: 'https://news.example',
  tab: { id: 7, url: 'https://news.example/article/1' },
};

describe('classifySender', () => {
  it('knows its own pages by their extension URL', () => {
    expect(classifySender(popup, extension)).toEqual({ kind: 'extension-page' });
    expect(classifySender({ ...popup, tab: { id: 3, url: popup.url } }, extension)).toEqual({ kind: 'extension-page' });
  });

  it('takes a page origin from the browser: sender.origin, else the frame URL, else the tab URL', () => {
    expect(classifySender(contentScript, extension)).toEqual({
      kind: 'web-page',
      caller: { origin: 'https://news.example', browserTabId: 7 },
    });
    const firefox = { id: extension.id, url: 'http://127.0.0.1:8080/shop?x=1', tab: { id: 9 } };
    expect(classifySender(firefox, extension)).toEqual({
      kind: 'web-page',
      caller: { origin: 'http://127.0.0.1:8080', browserTabId: 9 },
    });
    expect(classifySender({ id: extension.id, tab: { id: 1, url: 'https://a.example/x' } }, extension)).toMatchObject({
      caller: { origin: 'https://a.example' },
    });
  });

  it('trusts nobody else: other extensions, non-web pages, senders without a tab', () => {
    expect(classifySender({ ...contentScript, id: 'another' }, extension)).toEqual({ kind: 'unknown' });
    expect(classifySender({ id: extension.id, url: 'file:///tmp/x.html', tab: { id: 1 } }, extension)).toEqual({
      kind: 'unknown',
    });
    expect(classifySender({ id: extension.id, url: 'https://news.example/' }, extension)).toEqual({ kind: 'unknown' });
  });
});

describe('routeMessage', () => {
  const agent = {
    handlePageCall: vi.fn(async () => ({ ok: true as const, value: { closed: true } })),
    handleUiCall: vi.fn(async () => ({ ok: true as const, value: 'ready' as const })),
  };

  it('gives UI calls only to the extension pages', async () => {
    const lock = { channel: UI_CALL_CHANNEL, call: 'lock', params: {} };
    await expect(routeMessage(agent, lock, popup, extension)).resolves.toEqual({ ok: true, value: 'ready' });
    await expect(routeMessage(agent, lock, contentScript, extension)).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(agent.handleUiCall).toHaveBeenCalledTimes(1);
  });

  it('gives page calls only to content scripts, with the origin the browser reported', async () => {
    const close = {
      channel: PAGE_CALL_CHANNEL,
      call: 'closeTab',
      params: { merchantId: 'news', operatorId: 'op-eur' },
      origin: 'https://lies.example',
    };
    await routeMessage(agent, close, contentScript, extension);
    expect(agent.handlePageCall).toHaveBeenCalledWith(close, { origin: 'https://news.example', browserTabId: 7 });
    await expect(routeMessage(agent, close, popup, extension)).resolves.toMatchObject({ ok: false });
  });

  it('leaves other messages alone', () => {
    expect(routeMessage(agent, { hello: 'world' }, popup, extension)).toBeUndefined();
  });
});
