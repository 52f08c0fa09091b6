// The browser as the customer agent sees it: a few narrow ports, so that the whole agent runs in
// Node tests with in-memory stand-ins (test-ports.ts) and in the browser with webextension
// adapters (browser/ports.ts).

export type { Clock } from '@opentab/protocol';
import type { Clock } from '@opentab/protocol';

export type AlarmName = 'idle-lock' | 'rates-refresh' | 'outbox-retry' | 'tab-expiry' | 'purchase-retry';

export interface AlarmPort {
  /** Replaces any alarm of the same name. */
  schedule(name: AlarmName, at_ms: number): Promise<void>;
  cancel(name: AlarmName): Promise<void>;
}

export interface BadgePort {
  /** Badge text of one browser tab; '' clears it. */
  show(browserTabId: number, text: string): Promise<void>;
}

export interface WindowPort {
  /** Opens an extension page in a small popup window; resolves to its window id. */
  openPopup(path: string): Promise<number | null>;
  close(windowId: number): Promise<void>;
  /** Opens the extension's options page in a browser tab (or focuses it). */
  openOptionsPage(): Promise<void>;
}

export interface AgentPorts {
  readonly clock: Clock;
  readonly alarms: AlarmPort;
  readonly badge: BadgePort;
  readonly windows: WindowPort;
  readonly fetch: typeof fetch;
}
