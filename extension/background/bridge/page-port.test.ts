import { describe, expect, it, vi } from 'vitest';
import { PAGE_CALL_CHANNEL } from '../../messaging/page-calls';
import type { PagePortAnswer } from '../../messaging/page-port';
import { servePagePort, type ServedPort } from './page-port';

function scriptedPort() {
  const answers: PagePortAnswer[] = [];
  let listener: (message: unknown) => void = () => undefined;
  const port: ServedPort = {
    postMessage: (answer) => void answers.push(answer),
    onMessage: { addListener: (added) => void (listener = added) },
  };
  return { port, answers, receive: (message: unknown) => listener(message) };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const pageCall = { channel: PAGE_CALL_CHANNEL, call: 'hello', params: {} };

describe('servePagePort', () => {
  it('routes each page call and answers it with its number', async () => {
    const { port, answers, receive } = scriptedPort();
    const route = vi.fn(async () => ({ ok: true as const, value: { protocolVersion: 2 } }));
    servePagePort(port, { route, keepAwake: vi.fn() });
    receive({ kind: 'call', id: 7, message: pageCall });
    await flush();
    expect(route).toHaveBeenCalledWith(pageCall);
    expect(answers).toEqual([{ id: 7, result: { ok: true, value: { protocolVersion: 2 } } }]);
  });

  it('takes only page calls: anything else is refused without reaching the router, and junk is ignored', async () => {
    const { port, answers, receive } = scriptedPort();
    const route = vi.fn();
    servePagePort(port, { route, keepAwake: vi.fn() });
    receive({ kind: 'call', id: 1, message: { channel: 'opentab:ui-call', call: 'lock', params: {} } });
    receive({ kind: 'call', id: 'x', message: pageCall });
    receive('hello');
    receive(null);
    await flush();
    expect(route).not.toHaveBeenCalled();
    expect(answers).toEqual([
      { id: 1, result: { ok: false, error: expect.objectContaining({ code: 'invalid_request' }) } },
    ]);
  });

  it('answers internal when the router fails or does not route, and survives a page that went away', async () => {
    const { port, answers, receive } = scriptedPort();
    const route = vi.fn().mockRejectedValueOnce(new Error('boom')).mockResolvedValueOnce(undefined);
    servePagePort(port, { route, keepAwake: vi.fn() });
    receive({ kind: 'call', id: 1, message: pageCall });
    receive({ kind: 'call', id: 2, message: pageCall });
    await flush();
    expect(answers).toEqual([
      { id: 1, result: { ok: false, error: expect.objectContaining({ code: 'internal' }) } },
      { id: 2, result: { ok: false, error: expect.objectContaining({ code: 'invalid_request' }) } },
    ]);
    const gone = {
      ...port,
      postMessage: () => {
        throw new Error('Attempting to use a disconnected port object');
      },
    };
    const listeners: Array<(message: unknown) => void> = [];
    servePagePort(
      { ...gone, onMessage: { addListener: (added) => void listeners.push(added) } },
      { route: async () => ({ ok: true, value: 1 }), keepAwake: vi.fn() },
    );
    listeners[0]!({ kind: 'call', id: 3, message: pageCall });
    await flush();
  });

  it('keeps the background awake on a keepalive', () => {
    const { port, receive } = scriptedPort();
    const keepAwake = vi.fn();
    servePagePort(port, { route: vi.fn(), keepAwake });
    receive({ kind: 'keepalive' });
    expect(keepAwake).toHaveBeenCalledTimes(1);
  });
});
