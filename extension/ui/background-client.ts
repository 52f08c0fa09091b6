// How the extension's pages talk to the background: one typed call per UiCalls entry. Views take
// an AgentClient, so component tests give them a fake one.

import browser from 'webextension-polyfill';
import {
  UI_CALL_CHANNEL,
  type UiCall,
  type UiCallMessage,
  type UiCallResult,
  type UiCalls,
} from '../messaging/ui-calls';
import { isUiUpdateMessage, UI_UPDATES_PORT } from '../messaging/ui-updates';

export interface AgentClient {
  call<C extends UiCall>(call: C, params: UiCalls[C]['params']): Promise<UiCallResult<C>>;
  /** Calls `onChange` whenever what the pages show may have changed; returns the unsubscribe. */
  subscribe(onChange: () => void): () => void;
}

/** How long to wait before listening again after the background went away (a stopped worker restarts on the next connect). */
const RECONNECT_AFTER_MS = 1_000;

const NO_ANSWER = {
  ok: false,
  error: {
    code: 'internal',
    message: 'The Opentab background did not answer. Reopen this window; if that does not help, reload the extension.',
  },
} as const;

export const backgroundClient: AgentClient = {
  async call(call, params) {
    const message: UiCallMessage = { channel: UI_CALL_CHANNEL, call, params };
    try {
      const answer = (await browser.runtime.sendMessage(message)) as UiCallResult<typeof call> | undefined;
      return answer ?? NO_ANSWER;
    } catch {
      return NO_ANSWER;
    }
  },
  subscribe(onChange) {
    let stopped = false;
    let port: ReturnType<typeof browser.runtime.connect> | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const listen = () => {
      port = browser.runtime.connect({ name: UI_UPDATES_PORT });
      port.onMessage.addListener((message: unknown) => {
        if (isUiUpdateMessage(message)) onChange();
      });
      // The worker stopped (or restarted): listen again, and look again, as anything may have changed meanwhile.
      port.onDisconnect.addListener(() => {
        port = null;
        if (stopped) return;
        retry = setTimeout(() => {
          listen();
          onChange();
        }, RECONNECT_AFTER_MS);
      });
    };
    listen();
    return () => {
      stopped = true;
      if (retry !== null) clearTimeout(retry);
      port?.disconnect();
    };
  },
};
