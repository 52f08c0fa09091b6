// One process of the crash world, started as a deployment starts it (node with tsx on the CLI
// entry, its configuration file, its own data directory) and killed with SIGKILL. Its output is
// appended to a log file across restarts, each start marked, so a failing round can be read back.

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import { KILL_AFTER_COMMIT_ENV } from '@opentab/server-kit';
import type { ProcessName } from './topology';

export interface ProcessSpec {
  readonly name: ProcessName;
  /** Arguments after `node --import tsx`: the entry point, its command and options. */
  readonly args: readonly string[];
  /** Answers 200 once the process serves. */
  readonly readyUrl: string;
  readonly logPath: string;
  /** Added to the runner's environment (a second process of one operator listens on OPENTAB_PORT). */
  readonly env?: Readonly<Record<string, string>>;
  /** The kill-after-commit seam (`<path>:<n>`) for the `start`-th start, 0 being the first; null for none. */
  readonly seamAt: (start: number) => string | null;
}

/** Why a process stopped running. */
export type ExitCause =
  | { readonly kind: 'killed' }
  | { readonly kind: 'stopped' }
  /** SIGKILL the runner did not send: the kill-after-commit seam. */
  | { readonly kind: 'self-killed' }
  /** Any other exit: a process that dies by itself is a defect. */
  | { readonly kind: 'crashed'; readonly code: number | null; readonly signal: NodeJS.Signals | null };

const READY_WITHIN_MS = 60_000;
const STOP_WITHIN_MS = 15_000;

export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private expectedExit: 'killed' | 'stopped' | null = null;
  private startCount = 0;
  /** Called on every exit the runner did not ask for. */
  onUnexpectedExit: (cause: ExitCause) => void = () => undefined;

  constructor(readonly spec: ProcessSpec) {}

  get name(): ProcessName {
    return this.spec.name;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get starts(): number {
    return this.startCount;
  }

  /** Spawns the process and resolves once it answers at its ready URL. */
  async start(): Promise<void> {
    if (this.child !== null) throw new Error(`${this.name} is already running`);
    const seam = this.spec.seamAt(this.startCount);
    appendFileSync(
      this.spec.logPath,
      `\n=== ${new Date().toISOString()} start #${this.startCount}${seam === null ? '' : ` with ${KILL_AFTER_COMMIT_ENV}=${seam}`} ===\n`,
    );
    this.startCount++;
    const log = openSync(this.spec.logPath, 'a');
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.spec.env };
    delete env[KILL_AFTER_COMMIT_ENV];
    if (seam !== null) env[KILL_AFTER_COMMIT_ENV] = seam;
    const child = spawn(process.execPath, ['--import', 'tsx', ...this.spec.args], {
      cwd: process.cwd(),
      stdio: ['ignore', log, log],
      env,
    });
    closeSync(log);
    this.child = child;
    this.expectedExit = null;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.child = null;
        const expected = this.expectedExit;
        this.expectedExit = null;
        resolve();
        if (expected !== null) return;
        this.onUnexpectedExit(signal === 'SIGKILL' ? { kind: 'self-killed' } : { kind: 'crashed', code, signal });
      });
    });
    await this.untilReady(child);
  }

  /** SIGKILL; resolves once the process is gone. False when it was not running. */
  async kill(): Promise<boolean> {
    const child = this.child;
    if (child === null) return false;
    this.expectedExit = 'killed';
    child.kill('SIGKILL');
    await this.exited;
    return true;
  }

  /** SIGTERM, as an operator stops a server; SIGKILL if it does not stop in time. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.expectedExit = 'stopped';
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_WITHIN_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** The end of the process's log, for a report. */
  logTail(lines = 20): string {
    return readFileSync(this.spec.logPath, 'utf8').split('\n').slice(-lines).join('\n');
  }

  private async untilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_WITHIN_MS;
    while (Date.now() < deadline) {
      if (this.child !== child) throw new Error(`${this.name} exited while starting:\n${this.logTail()}`);
      const answer = await fetch(this.spec.readyUrl, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
      if (answer?.ok === true) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `${this.name} did not answer at ${this.spec.readyUrl} within ${READY_WITHIN_MS} ms:\n${this.logTail()}`,
    );
  }
}
