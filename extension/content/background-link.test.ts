import { describe, expect, it, vi } from 'vitest';
import { PAGE_CALL_CHANNEL, type PageCallMessage } from '../messaging/page-calls';
import {
  PAGE_PORT_KEEPALIVE_MAX_MS,
  PAGE_PORT_KEEPALIVE_MS,
  PAGE_PORT_NAME,
  type PagePortRequest,
} from '../messaging/page-port';
import { createBackgroundLink, type LinkPort, type LinkTimers } from './background-link';

// The content script's port to the background, against scripted ports and timers.

class ScriptedPort implements LinkPort {
  readonly sent: PagePortRequest[] = [];
  disconnected = false;
  private readonly messageListeners: Array<(message: unknown) => void> = [];
  private readonly disconnectListeners: Array<() => void> = [];
  readonly onMessage = {
    addListener: (listener: (message: unknown) => void) => void this.messageListeners.push(listener),
  };
  readonly onDisconnect = { addListener: (listener: () => void) => void this.disconnectListeners.push(listener) };

  postMessage(message: PagePortRequest): void {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    this.sent.push(message);
  }

  calls(): Extract<PagePortRequest, { kind: 'call' }>[] {
    return this.sent.filter((message) => message.kind === 'call');
  }

  answer(id: number, result: unknown): void {
    for (const listener of this.messageListeners) listener({ id, result });
  }

  /** The background stopped: the browser disconnects the port (and says so a little later). */
  disconnect({ tell = true } = {}): void {
    this.disconnected = true;
    if (tell) this.tellDisconnected();
  }

  tellDisconnected(): void {
    for (const listener of this.disconnectListeners) listener();
  }
}

function scriptedBrowser() {
  const ports: ScriptedPort[] = [];
  const connect = vi.fn((name: string) => {
    expect(name).toBe(PAGE_PORT_NAME);
    const port = new ScriptedPort();
    ports.push(port);
    return port;
  });
  const intervals = new Map<number, () => void>();
  let nextHandle = 1;
  let now_ms = 1_000_000;
  const timers: LinkTimers = {
    setInterval: (run) => {
      intervals.set(nextHandle, run);
      return nextHandle++;
    },
    clearInterval: (handle) => void intervals.delete(handle as number),
    now_ms: () => now_ms,
  };
  const tick = (advance_ms = PAGE_PORT_KEEPALIVE_MS) => {
    now_ms += advance_ms;
    [...intervals.values()].forEach((run) => run());
  };
  return { ports, connect, timers, intervals, tick };
}

const call = (params: unknown = {}): PageCallMessage => ({ channel: PAGE_CALL_CHANNEL, call: 'tabStatus', params });

describe('background link', () => {
  it('opens one port with the first call and carries every call on it, matched to its answer', async () => {
    const browser = scriptedBrowser();
    const send = createBackgroundLink(browser.connect, browser.timers);
    expect(browser.connect).not.toHaveBeenCalled();
    const first = send(call({ n: 1 }));
    const second = send(call({ n: 2 }));
    expect(browser.connect).toHaveBeenCalledTimes(1);
    const [port] = browser.ports as [ScriptedPort];
    const [a, b] = port.calls();
    expect(a!.message).toEqual(call({ n: 1 }));
    expect(b!.message).toEqual(call({ n: 2 }));
    port.answer(b!.id, { ok: true, value: 'second' });
    port.answer(a!.id, { ok: true, value: 'first' });
    port.answer(a!.id, { ok: true, value: 'again' }); // a second answer for the same call is dropped
    await expect(first).resolves.toEqual({ ok: true, value: 'first' });
    await expect(second).resolves.toEqual({ ok: true, value: 'second' });
  });

  it('sends the call inside the caller’s own task', () => {
    const browser = scriptedBrowser();
    const send = createBackgroundLink(browser.connect, browser.timers);
    void send(call());
    expect(browser.ports[0]!.calls()).toHaveLength(1);
  });

  it('fails the calls a port carried when it disconnects, never re-sending them, and opens a new port for the next call', async () => {
    const browser = scriptedBrowser();
    const send = createBackgroundLink(browser.connect, browser.timers);
    const pending = send(call());
    browser.ports[0]!.disconnect();
    await expect(pending).rejects.toThrow(/disconnected/);
    expect(browser.ports[0]!.calls()).toHaveLength(1);

    const next = send(call());
    expect(browser.connect).toHaveBeenCalledTimes(2);
    const port = browser.ports[1]!;
    port.answer(port.calls()[0]!.id, { ok: true, value: 'after restart' });
    await expect(next).resolves.toEqual({ ok: true, value: 'after restart' });
  });

  it('moves to a new port when the old one is gone before its disconnect was told, without failing the new calls', async () => {
    const browser = scriptedBrowser();
    const send = createBackgroundLink(browser.connect, browser.timers);
    const old = send(call());
    browser.ports[0]!.disconnect({ tell: false });
    const next = send(call());
    expect(browser.ports).toHaveLength(2);
    browser.ports[0]!.tellDisconnected();
    await expect(old).rejects.toThrow(/disconnected/);
    const port = browser.ports[1]!;
    port.answer(port.calls()[0]!.id, { ok: true, value: 'new port' });
    await expect(next).resolves.toEqual({ ok: true, value: 'new port' });
  });

  it('keeps the background awake while a call is unanswered, and stops once none is', async () => {
    const browser = scriptedBrowser();
    const send = createBackgroundLink(browser.connect, browser.timers);
    const pending = send(call());
    expect(browser.intervals.size).toBe(1);
    browser.tick();
    browser.tick();
    const port = browser.ports[0]!;
    expect(port.sent.filter((message) => message.kind === 'keepalive')).toHaveLength(2);
    port.answer(port.calls()[0]!.id, { ok: true, value: null });
    await pending;
    expect(browser.intervals.size).toBe(0);
    expect(PAGE_PORT_KEEPALIVE_MS).toBeLessThan(30_000); // under the browsers' 30 s idle limit
  });

  it('stops keeping awake for a call that has waited longer than any page waits', () => {
    const browser = scriptedBrowser();
    const send = createBackgroundLink(browser.connect, browser.timers);
    void send(call());
    browser.tick(PAGE_PORT_KEEPALIVE_MAX_MS);
    browser.tick();
    const keepalives = () => browser.ports[0]!.sent.filter((message) => message.kind === 'keepalive').length;
    expect(keepalives()).toBe(1);
    void send(call()); // a fresh call keeps it awake again
    browser.tick();
    expect(keepalives()).toBe(2);
  });

  it('stops keeping awake when the port disconnects', async () => {
    const browser = scriptedBrowser();
    const send = createBackgroundLink(browser.connect, browser.timers);
    const pending = send(call());
    browser.ports[0]!.disconnect();
    await expect(pending).rejects.toThrow();
    expect(browser.intervals.size).toBe(0);
  });
});
