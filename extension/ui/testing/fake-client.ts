// A scripted AgentClient for component tests: each call answers from a table of handlers and is
// recorded, so a test can check what the view asked the background to do.

import type { UiCall, UiCallResult, UiCalls } from '../../messaging/ui-calls';
import type { AgentClient } from '../background-client';

export type FakeAnswers = { [C in UiCall]?: (params: UiCalls[C]['params']) => UiCallResult<C> };

export interface FakeClient extends AgentClient {
  readonly calls: { call: UiCall; params: unknown }[];
  /** What the background does after a change: tells every subscribed page. */
  announceChange(): void;
}

export function fakeClient(answers: FakeAnswers): FakeClient {
  const calls: { call: UiCall; params: unknown }[] = [];
  const listeners = new Set<() => void>();
  return {
    calls,
    announceChange() {
      for (const listener of listeners) listener();
    },
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    async call(call, params) {
      calls.push({ call, params });
      const answer = answers[call] as ((params: unknown) => UiCallResult<typeof call>) | undefined;
      if (!answer) return { ok: false, error: { code: 'internal', message: `no fake answer for ${call}` } };
      return answer(params);
    },
  };
}
