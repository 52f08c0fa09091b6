// In-memory stand-ins for the browser, for the background's tests.

import { ManualClock } from '@opentab/test-kit';
import type { ConfirmDecision, ConfirmationView } from '../../messaging/views';
import type { ScryptCost } from '../keys/passphrase-box';
import type { AgentPorts, AlarmName, AlarmPort, BadgePort, WindowPort } from '../ports';

/** Cheap enough for tests; the browser uses BROWSER_SCRYPT_COST. */
export const TEST_SCRYPT_COST: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };

/** The test clock: one instance drives the background's Clock port and the servers of a test world. */
export { ManualClock } from '@opentab/test-kit';

export class RecordingAlarms implements AlarmPort {
  readonly scheduled = new Map<AlarmName, number>();
  async schedule(name: AlarmName, at_ms: number): Promise<void> {
    this.scheduled.set(name, at_ms);
  }
  async cancel(name: AlarmName): Promise<void> {
    this.scheduled.delete(name);
  }
}

export class RecordingBadge implements BadgePort {
  readonly texts = new Map<number, string>();
  async show(browserTabId: number, text: string): Promise<void> {
    this.texts.set(browserTabId, text);
  }
}

/** The customer, as seen through confirmation windows: answers each one with `decide`. */
export type Customer = (view: ConfirmationView) => ConfirmDecision;

export class ScriptedWindows implements WindowPort {
  readonly opened: string[] = [];
  readonly closed: number[] = [];
  optionsPageOpened = 0;
  /** Set by the test harness once the agent exists: answers a question by its request id. */
  answer: ((requestId: string) => void) | null = null;
  private nextId = 1;

  /** Set by the test harness: what the customer does in the unlock prompt opened as window `windowId`. */
  atUnlockPrompt: ((windowId: number) => void) | null = null;

  async openPopup(path: string): Promise<number | null> {
    this.opened.push(path);
    const windowId = this.nextId++;
    const requestId = new URL(path, 'ext://x/').searchParams.get('request');
    // The customer reads and clicks after the window has opened.
    if (requestId && this.answer) setTimeout(() => this.answer?.(requestId), 0);
    if (path.startsWith('unlock/') && this.atUnlockPrompt) setTimeout(() => this.atUnlockPrompt?.(windowId), 0);
    return windowId;
  }

  async close(windowId: number): Promise<void> {
    this.closed.push(windowId);
  }

  async openOptionsPage(): Promise<void> {
    this.optionsPageOpened++;
  }
}

export interface TestPorts extends AgentPorts {
  /** URL prefixes that fail as if the network were down. */
  readonly unreachable: Set<string>;
  /** URL prefixes whose requests arrive but whose answers are lost on the way back. */
  readonly answerLost: Set<string>;
  /** Every URL fetched, in order. */
  readonly fetched: string[];
  /** Every URL whose whole answer has come back to the agent, in order. */
  readonly answered: string[];
  /** Answers a request in place of the network when it returns a response (a remote's refusal, say). */
  intercept: ((url: string, init?: RequestInit) => Response | undefined | Promise<Response | undefined>) | null;
  readonly clock: ManualClock;
  readonly alarms: RecordingAlarms;
  readonly badge: RecordingBadge;
  readonly windows: ScriptedWindows;
}

/** `clock`: the agent's time, which a test may share with the operators and the merchant agent. */
export function createTestPorts(clock: ManualClock = new ManualClock()): TestPorts {
  const unreachable = new Set<string>();
  const answerLost = new Set<string>();
  const fetched: string[] = [];
  const answered: string[] = [];
  const matches = (prefixes: Set<string>, url: string) => [...prefixes].some((prefix) => url.startsWith(prefix));
  const ports: TestPorts = {
    unreachable,
    answerLost,
    fetched,
    answered,
    intercept: null,
    clock,
    alarms: new RecordingAlarms(),
    badge: new RecordingBadge(),
    windows: new ScriptedWindows(),
    fetch: async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      fetched.push(url);
      if (matches(unreachable, url)) throw new TypeError('fetch failed: network is down');
      const intercepted = await ports.intercept?.(url, init);
      if (intercepted) return intercepted;
      const response = await fetch(input, init);
      if (matches(answerLost, url)) throw new TypeError('fetch failed: connection reset');
      // Read to the end here, so a test can tell when the agent holds the whole answer.
      const body = await response.arrayBuffer();
      answered.push(url);
      return new Response(body.byteLength === 0 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    },
  };
  return ports;
}
