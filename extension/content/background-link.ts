// The content script's line to the background: one runtime port, opened with the first call and
// again after the background stopped (which disconnects it). Calls in flight when the port
// disconnects are failed, never re-sent: the background may have acted on them (a purchase), and
// the page is told Opentab did not answer, as when a sendMessage channel closes unanswered.

import type { PageCallMessage } from '../messaging/page-calls';
import {
  PAGE_PORT_KEEPALIVE_MAX_MS,
  PAGE_PORT_KEEPALIVE_MS,
  PAGE_PORT_NAME,
  isPagePortAnswer,
  type PagePortRequest,
} from '../messaging/page-port';

/** The part of a runtime.Port the link uses. */
export interface LinkPort {
  postMessage(message: PagePortRequest): void;
  readonly onMessage: { addListener(listener: (message: unknown) => void): void };
  readonly onDisconnect: { addListener(listener: () => void): void };
}

export interface LinkTimers {
  setInterval(run: () => void, every_ms: number): unknown;
  clearInterval(handle: unknown): void;
  now_ms(): number;
}

const BROWSER_TIMERS: LinkTimers = {
  setInterval: (run, every_ms) => setInterval(run, every_ms),
  clearInterval: (handle) => clearInterval(handle as number),
  now_ms: () => Date.now(),
};

export type SendToBackground = (message: PageCallMessage) => Promise<unknown>;

export function createBackgroundLink(
  connect: (name: string) => LinkPort,
  timers: LinkTimers = BROWSER_TIMERS,
): SendToBackground {
  let port: LinkPort | null = null;
  let nextId = 1;
  /** Each call with the port it went out on: a port's disconnect fails the calls it carried. */
  const waiting = new Map<
    number,
    { resolve: (result: unknown) => void; reject: (error: Error) => void; port: LinkPort; sentAt_ms: number }
  >();
  let keepalive: unknown = null;

  function settled(id: number): void {
    waiting.delete(id);
    if (waiting.size === 0 && keepalive !== null) {
      timers.clearInterval(keepalive);
      keepalive = null;
    }
  }

  function open(): LinkPort {
    const opened = connect(PAGE_PORT_NAME);
    opened.onMessage.addListener((message) => {
      if (!isPagePortAnswer(message)) return;
      const entry = waiting.get(message.id);
      if (!entry) return;
      settled(message.id);
      entry.resolve(message.result);
    });
    opened.onDisconnect.addListener(() => {
      if (port === opened) port = null;
      for (const [id, entry] of [...waiting]) {
        if (entry.port !== opened) continue;
        settled(id);
        entry.reject(new Error('The Opentab background disconnected.'));
      }
    });
    return opened;
  }

  /** A call that never gets an answer must not keep the background running for as long as the page is open. */
  function keepAwake(): void {
    const youngest_ms = Math.max(...[...waiting.values()].map((entry) => entry.sentAt_ms));
    if (timers.now_ms() - youngest_ms > PAGE_PORT_KEEPALIVE_MAX_MS) return;
    try {
      port?.postMessage({ kind: 'keepalive' });
    } catch {
      // Its disconnect fails the calls it carried.
    }
  }

  /** Posts on the open port, or on a new one if there is none or it turns out to be gone already. */
  function post(request: PagePortRequest): LinkPort {
    port ??= open();
    try {
      port.postMessage(request);
      return port;
    } catch {
      // Disconnected before we heard of it (the background stopped): the message did not leave.
      port = open();
      port.postMessage(request);
      return port;
    }
  }

  return (message) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      let sentOn: LinkPort;
      try {
        sentOn = post({ kind: 'call', id, message });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      waiting.set(id, { resolve, reject, port: sentOn, sentAt_ms: timers.now_ms() });
      keepalive ??= timers.setInterval(keepAwake, PAGE_PORT_KEEPALIVE_MS);
    });
}
