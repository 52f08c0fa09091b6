// A tab's timeout must end it even when no page or popup wakes the worker: one alarm, always set
// for the earliest expiry among open tabs, wakes the agent to close what has run out (its
// customer record goes to the operator within the grace period) and is then set for the next.

import type { AlarmPort } from '../ports';
import type { TabBook } from './tab-book';

export class TabExpiryAlarm {
  constructor(
    private readonly book: TabBook,
    private readonly alarms: AlarmPort,
  ) {}

  async reschedule(): Promise<void> {
    const expiries = (await this.book.active()).flatMap((tab) => (tab.phase === 'open' ? [tab.expiresAt_ms] : []));
    if (expiries.length === 0) return this.alarms.cancel('tab-expiry');
    await this.alarms.schedule('tab-expiry', Math.min(...expiries));
  }
}
