// This process among those serving one operator on a shared store: its id (the holder of the
// claims it makes, the key of its row) and its signs of life. Each process says it is alive as it
// starts and at each pass of its background jobs, so one that starts can tell whether another
// was up in the meantime. Alone on its SQLite file, a process has no one to tell or ask.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { OperatorStorage } from '../store/operator-storage';

/**
 * A process counts as up while it said so within this many ticks of the jobs. A pass held up
 * longer (an MTA that does not answer) makes it look down: the safe side, since that only
 * postpones clearings, never clears a tab whose records could not arrive.
 */
export const ALIVE_WITHIN_TICKS = 4;

/** Rows of processes silent this long are dropped as a process starts: they decide nothing any more. */
const FORGET_SILENT_AFTER_MS = 24 * 3600 * 1000;

export class ProcessLiveness {
  /** Unique among every process ever started: host, process id, and random bits for several in one process. */
  readonly processId = `${hostname()}/${process.pid}/${randomBytes(6).toString('hex')}`;
  private readonly aliveWindow_ms: number;

  constructor(
    private readonly storage: OperatorStorage,
    tick_ms: number,
  ) {
    this.aliveWindow_ms = ALIVE_WITHIN_TICKS * tick_ms;
  }

  /** Whether another process of this operator said it was alive within the window before `now_ms`. */
  async othersAliveAt(now_ms: number): Promise<boolean> {
    if (this.storage.kind === 'sqlite') return false;
    const last_ms = await this.storage.processes.lastAliveOfOthers(this.processId);
    return last_ms !== null && last_ms >= now_ms - this.aliveWindow_ms;
  }

  /** As the process starts: says it is up, and drops rows of processes long gone. */
  async markStarted(now_ms: number): Promise<void> {
    if (this.storage.kind === 'sqlite') return;
    await this.storage.processes.forgetProcessesSilentSince(now_ms - FORGET_SILENT_AFTER_MS);
    await this.storage.processes.markProcessAlive(this.processId, now_ms);
  }

  /** At each pass of its jobs. */
  async markAlive(now_ms: number): Promise<void> {
    if (this.storage.kind === 'sqlite') return;
    await this.storage.processes.markProcessAlive(this.processId, now_ms);
  }

  /** A clean stop: the others, and the next to start, no longer count this process as up. */
  async stop(): Promise<void> {
    if (this.storage.kind === 'sqlite') return;
    await this.storage.processes.forgetProcess(this.processId);
  }
}
