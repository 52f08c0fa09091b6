// Servers under measurement run in their own Node processes, as they would in production: an
// operator process per operator and the merchant's server with its agent. On a 2-core machine
// that lets the operating system spread them over both cores, which one event loop never could.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { processCpu_ms } from './cpu-time';

export interface ServerProcessOptions {
  readonly name: string;
  /** A TypeScript entry point, run through tsx's loader. */
  readonly script: string;
  readonly args: readonly string[];
  /** Where stdout and stderr go (the operators' log lines included). */
  readonly logFile: string;
  /** GET this until it answers 2xx: the process is ready. */
  readonly readyUrl: string;
  /**
   * When set, the process writes V8 CPU profiles into `<cpuProfileDir>/<name>/` when it exits: one
   * per thread (tsx's loader runs on a worker thread), so the largest file is the server's own.
   */
  readonly cpuProfileDir?: string;
  readonly env?: Readonly<Record<string, string>>;
}

const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 50;
const STOP_TIMEOUT_MS = 10_000;

export class ServerProcess {
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const log = openSync(options.logFile, 'a');
    const profiling =
      options.cpuProfileDir === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfileDir, options.name)}`];
    const child = spawn(process.execPath, [...profiling, '--import', 'tsx', options.script, ...options.args], {
      stdio: ['ignore', log, log],
      env: { ...process.env, ...options.env },
    });
    closeSync(log);
    const server = new ServerProcess(options.name, child);
    await server.waitUntilReady(options.readyUrl, options.logFile);
    return server;
  }

  private async waitUntilReady(url: string, logFile: string): Promise<void> {
    const deadline_ms = Date.now() + READY_TIMEOUT_MS;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline_ms) {
      if (exitCode !== undefined)
        throw new Error(`${this.name} exited with code ${exitCode} before it was ready; see ${logFile}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    await this.stop();
    throw new Error(`${this.name} was not ready within ${READY_TIMEOUT_MS} ms; see ${logFile}`);
  }

  /** CPU the process has used so far, in ms; null where the platform does not tell. */
  cpu_ms(): number | null {
    return this.child.pid === undefined ? null : processCpu_ms(this.child.pid);
  }

  /** SIGTERM (the servers close their databases and, when profiling, write the profile), SIGKILL if that hangs. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
