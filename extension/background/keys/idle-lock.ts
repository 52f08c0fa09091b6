// Locks the wallet after a quiet spell. Activity (any UI or page call) pushes an alarm forward;
// the alarm, or a service worker waking up past the deadline, locks. The last activity time lives
// in session storage because the worker's memory does not survive its own idle shutdown.

import type { AlarmPort, Clock } from '../ports';
import type { SessionArea } from '../storage/session-area';
import type { Vault } from './vault';

const LAST_ACTIVITY_KEY = 'lastActivity_ms';

export class IdleLock {
  constructor(
    private readonly vault: Vault,
    private readonly session: SessionArea,
    private readonly alarms: AlarmPort,
    private readonly clock: Clock,
    private readonly idleLockMs: () => Promise<number>,
  ) {}

  async touch(): Promise<void> {
    const now = this.clock.now();
    await this.session.set(LAST_ACTIVITY_KEY, String(now));
    await this.alarms.schedule('idle-lock', now + (await this.idleLockMs()));
  }

  /** Locks when the idle time has passed; returns whether the wallet is (now) locked by idleness. */
  async lockIfIdle(): Promise<boolean> {
    const last = Number((await this.session.get(LAST_ACTIVITY_KEY)) ?? Number.NaN);
    const deadline = last + (await this.idleLockMs());
    if (Number.isFinite(deadline) && this.clock.now() < deadline) {
      await this.alarms.schedule('idle-lock', deadline);
      return false;
    }
    await this.vault.lock();
    await this.alarms.cancel('idle-lock');
    return true;
  }
}
