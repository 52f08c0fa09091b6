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

export interface AgentClient {
  call<C extends UiCall>(call: C, params: UiCalls[C]['params']): Promise<UiCallResult<C>>;
}

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
};
