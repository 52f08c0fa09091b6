// Keeps the crash world's processes coming back: a process the runner kills is started again on
// the same files and port after its planned downtime, and so is one that killed itself at its
// kill-after-commit seam. Counts every kill by process and cause for the report, and notes when
// each process was down.

import type { EventLog } from './event-log';
import type { ExitCause, ManagedProcess } from './managed-process';
import type { ProcessName } from './topology';

export type KillCause = 'relay' | 'seam' | 'random-kill' | 'outage';

export interface KillRecord {
  readonly process: ProcessName;
  readonly cause: KillCause;
  readonly detail: string;
}

/** From the moment a process stopped running until it served again (null while it is still down). */
export interface Downtime {
  readonly process: ProcessName;
  readonly from_ms: number;
  until_ms: number | null;
}

const RETRY_START_MS = 200;
/** A process that cannot start again for this long (its port taken by someone else) is given up. */
const GIVE_UP_STARTING_MS = 60_000;

export class Supervisor {
  readonly kills: KillRecord[] = [];
  /** Exits nobody caused: a process that dies by itself is a defect. */
  readonly crashes: string[] = [];
  readonly downtimes: Downtime[] = [];
  private readonly restarts = new Map<ProcessName, Promise<void>>();
  private closing = false;

  constructor(
    /** The world's processes, by name (a world on SQLite files has no op-se-2). */
    private readonly processes: Readonly<Partial<Record<ProcessName, ManagedProcess>>>,
    private readonly events: EventLog,
    /** Downtime after the seam of a process's `start`-th start fired. */
    private readonly seamDowntime_ms: (process: ProcessName, start: number) => number,
  ) {
    for (const process of this.all()) process.onUnexpectedExit = (cause) => this.exitedUnasked(process, cause);
  }

  /** Kills a running process and starts it again after `downtime_ms`; false when it was not running (down or starting). */
  async kill(name: ProcessName, downtime_ms: number, cause: KillCause, detail: string): Promise<boolean> {
    const process = this.processes[name];
    if (process === undefined || !process.running || this.restarts.has(name)) {
      this.events.note(`${name} not killed (${cause}: ${detail}): it is down`);
      return false;
    }
    await process.kill();
    this.wentDown(name);
    this.kills.push({ process: name, cause, detail });
    this.events.note(`killed ${name} (${cause}: ${detail}), down for ${downtime_ms} ms`);
    this.restartAfter(process, downtime_ms);
    return true;
  }

  /** Resolves once every process runs again (pending restarts finished, any stopped one started). */
  async allUp(): Promise<void> {
    while (this.restarts.size > 0) await Promise.all(this.restarts.values());
    for (const process of this.all()) if (!process.running) await this.startNow(process);
  }

  async stopAll(): Promise<void> {
    this.closing = true;
    await Promise.all(this.restarts.values());
    await Promise.all(this.all().map((process) => process.stop()));
  }

  private all(): ManagedProcess[] {
    return Object.values(this.processes).filter((process) => process !== undefined);
  }

  private wentDown(process: ProcessName): void {
    this.downtimes.push({ process, from_ms: Date.now(), until_ms: null });
  }

  private exitedUnasked(process: ManagedProcess, cause: ExitCause): void {
    this.wentDown(process.name);
    if (cause.kind === 'self-killed') {
      const start = process.starts - 1;
      this.kills.push({ process: process.name, cause: 'seam', detail: `kill after commit at start #${start}` });
      const downtime_ms = this.seamDowntime_ms(process.name, start);
      this.events.note(
        `${process.name} killed itself after a commit (seam of start #${start}), down for ${downtime_ms} ms`,
      );
      this.restartAfter(process, downtime_ms);
      return;
    }
    const how = cause.kind === 'crashed' ? `code ${cause.code}, signal ${cause.signal}` : cause.kind;
    this.crashes.push(`${process.name} exited by itself (${how}):\n${process.logTail()}`);
    this.events.note(`${process.name} exited by itself (${how})`);
    this.restartAfter(process, RETRY_START_MS);
  }

  private restartAfter(process: ManagedProcess, downtime_ms: number): void {
    if (this.closing || this.restarts.has(process.name)) return;
    const restart = (async () => {
      await new Promise((resolve) => setTimeout(resolve, downtime_ms));
      await this.startNow(process);
    })().finally(() => this.restarts.delete(process.name));
    this.restarts.set(process.name, restart);
  }

  /** Starts until it runs: a start can fail when the process kills itself at its seam while coming up. */
  private async startNow(process: ManagedProcess): Promise<void> {
    const giveUpAt_ms = Date.now() + GIVE_UP_STARTING_MS;
    while (!this.closing && !process.running) {
      try {
        await process.start();
        for (const downtime of this.downtimes)
          if (downtime.process === process.name && downtime.until_ms === null) downtime.until_ms = Date.now();
        this.events.note(`${process.name} is up again (start #${process.starts - 1})`);
      } catch (error) {
        const reason = (error as Error).message;
        this.events.note(`${process.name} failed to start: ${reason.split('\n')[0]}`);
        if (Date.now() > giveUpAt_ms) {
          this.crashes.push(
            `${process.name} could not be started again within ${GIVE_UP_STARTING_MS / 1000} s: ${reason}`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_START_MS));
      }
    }
  }
}
