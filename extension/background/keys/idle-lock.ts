// Locks the wallet after a quiet spell. Activity (any UI or page call) pushes an alarm forward;
// the alarm, or a service worker waking up past the deadline, locks. The last activity time lives
// in session storage because the worker's memory does not survive its own idle shutdown.
//
// Activity is written at most once per ACTIVITY_WRITE_INTERVAL_MS: a write and an alarm per click
// are two round trips through the browser process for a deadline measured in minutes. This
// worker remembers the latest activity itself, so its alarm never locks early; a new worker
// knows only what was written, at most one interval older than the truth, so it may lock that
// much early, never late.

import type { AlarmPort, Clock } from '../ports';
import type { SessionArea } from '../storage/session-area';
import type { Vault } from './vault';

const LAST_ACTIVITY_KEY = 'lastActivity_ms';

/** A small fraction of the shortest idle time offered (one minute). */
export const ACTIVITY_WRITE_INTERVAL_MS = 5_000;

export class IdleLock {
  /** The latest activity this worker has seen, written or not. */
  private lastActivity_ms: number | null = null;
  private lastWrite_ms: number | null = null;

  constructor(
    private readonly vault: Vault,
    private readonly session: SessionArea,
    private readonly alarms: AlarmPort,
    private readonly clock: Clock,
    private readonly idleLockMs: () => Promise<number>,
  ) {}

  /** Notes activity; writes it (and moves the alarm) only if the last write is an interval old. */
  async touch(): Promise<void> {
    const now = this.clock.now_ms();
    this.lastActivity_ms = now;
    if (this.lastWrite_ms !== null && now - this.lastWrite_ms < ACTIVITY_WRITE_INTERVAL_MS) return;
    await this.write(now);
  }

  /** Starts the idle time afresh, now (after an unlock, a new or restored wallet). */
  async touchNow(): Promise<void> {
    const now = this.clock.now_ms();
    this.lastActivity_ms = now;
    await this.write(now);
  }

  /** Locks when the idle time has passed; returns whether the wallet is (now) locked by idleness. */
  async lockIfIdle(): Promise<boolean> {
    const written = Number((await this.session.get(LAST_ACTIVITY_KEY)) ?? Number.NaN);
    // Nothing written means no activity in this browser session: lock.
    const last = Number.isFinite(written) ? Math.max(written, this.lastActivity_ms ?? written) : Number.NaN;
    const deadline = last + (await this.idleLockMs());
    if (Number.isFinite(deadline) && this.clock.now_ms() < deadline) {
      await this.alarms.schedule('idle-lock', deadline);
      return false;
    }
    await this.vault.lock();
    await this.alarms.cancel('idle-lock');
    return true;
  }

  private async write(now: number): Promise<void> {
    this.lastWrite_ms = now;
    try {
      await this.session.set(LAST_ACTIVITY_KEY, String(now));
      await this.alarms.schedule('idle-lock', now + (await this.idleLockMs()));
    } catch (error) {
      // Not written: the next activity tries again.
      this.lastWrite_ms = null;
      throw error;
    }
  }
}
