// The demo world as `npm start` runs it, in a process of its own: started with its flags, its
// output read, stopped with Ctrl-C (SIGINT), as a newcomer would.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PROCESS_STEP_BOUND_MS, waitFor } from '@opentab/test-kit';

export interface StartedDemo {
  readonly process: ChildProcessWithoutNullStreams;
  readonly output: () => string;
}

export async function startDemoWorld(dir: string, ports: readonly number[], ...flags: string[]): Promise<StartedDemo> {
  // node --import tsx, not npx: Ctrl-C (SIGINT) must reach the world's own process.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'e2e/world/start.ts', '--dir', dir, '--ports', ports.join(','), ...flags],
    { cwd: process.cwd() },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitFor(
      'the demo world to say it is running',
      () => {
        if (output.includes('Opentab demo world is running.')) return true;
        if (child.exitCode !== null) throw new Error(`the demo world exited with code ${child.exitCode}`);
        return false;
      },
      PROCESS_STEP_BOUND_MS,
      100,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; it printed:\n${output}`);
  }
  return { process: child, output: () => output };
}

/** Ctrl-C: resolves with the exit code once the world has stopped. */
export function interruptDemoWorld(started: StartedDemo): Promise<number | null> {
  if (started.process.exitCode !== null) return Promise.resolve(started.process.exitCode);
  const exited = new Promise<number | null>((resolve) => started.process.once('exit', resolve));
  started.process.kill('SIGINT');
  return exited;
}

/** The demo customer's account id the world printed. */
export const demoAccountOf = (output: string): string | undefined =>
  /Demo customer account (acct_[0-9a-f]{24})/.exec(output)?.[1];
