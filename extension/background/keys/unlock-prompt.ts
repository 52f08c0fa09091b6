// A payment asked of a locked wallet opens a window that asks for the passphrase, and waits there:
// once the wallet is unlocked (in that window or in the popup) the same payment goes on, as a
// wallet people know does. Closing the window, or nobody unlocking in time, leaves it locked and
// the payment refused. Clicks that arrive meanwhile share the one window.

import type { WindowPort } from '../ports';
import { AgentError } from '../errors';

export const UNLOCK_PAGE = 'unlock/unlock.html';
// Just under the widget's 120 s pay timeout, as for the confirmation window.
const UNANSWERED_AFTER_MS = 110_000;

export const stillLocked = () =>
  new AgentError('wallet_locked', 'Your Opentab wallet stayed locked, so nothing was paid. Click again to unlock it.');

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: AgentError) => void;
}

export class UnlockPrompt {
  private waiters: Waiter[] = [];
  /** The prompt's window while it is open (or opening: null id until the browser says). */
  private window: { id: number | null } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly windows: WindowPort,
    private readonly unansweredAfter_ms: number = UNANSWERED_AFTER_MS,
  ) {}

  /** Resolves once the wallet is unlocked; rejects (wallet_locked) when the prompt is closed or times out. */
  untilUnlocked(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (this.window) return;
      const opened: { id: number | null } = { id: null };
      this.window = opened;
      this.timer = setTimeout(() => this.end(stillLocked()), this.unansweredAfter_ms);
      this.windows.openPopup(UNLOCK_PAGE).then(
        (windowId) => {
          opened.id = windowId;
          // Unlocked (or given up) before the browser reported the window: close it now.
          if (this.window !== opened && windowId !== null) void this.windows.close(windowId).catch(() => undefined);
        },
        () => this.end(stillLocked()),
      );
    });
  }

  /** The wallet was unlocked: every waiting payment goes on, and the prompt closes. */
  unlocked(): void {
    this.end(null);
  }

  windowClosed(windowId: number): void {
    if (this.window?.id === windowId) this.end(stillLocked());
  }

  private end(refusal: AgentError | null): void {
    const waiters = this.waiters;
    const window = this.window;
    this.waiters = [];
    this.window = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const waiter of waiters) {
      if (refusal) waiter.reject(refusal);
      else waiter.resolve();
    }
    if (window?.id != null) void this.windows.close(window.id).catch(() => undefined);
  }
}
