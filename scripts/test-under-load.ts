// npm run test:under-load: the whole suite (npm test: type-check, vitest, Playwright) while one
// busy loop per core keeps every core occupied, as on a machine busy with other work. A test that
// depends on how fast the wall clock runs relative to the machine fails here. The busy loops are
// stopped however the run ends, and the script exits with the suite's code.

import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Spins in slices of this length, between which it checks that its parent still lives: a loop
 * orphaned by a killed parent stops by itself instead of spinning on forever.
 */
const SPIN_SLICE_MS = 100;

const BUSY_LOOP = `
const parent = process.ppid;
const spin = () => {
  const until = Date.now() + ${SPIN_SLICE_MS};
  while (Date.now() < until);
  if (process.ppid !== parent) process.exit(0);
  setImmediate(spin);
};
spin();
`;

function startBusyLoops(count: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', BUSY_LOOP], { stdio: 'ignore' }));
}

function stopAll(children: readonly ChildProcess[]): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function runSuite(): { suite: ChildProcess; exited: Promise<number> } {
  const suite = spawn('npm', ['test'], { stdio: 'inherit' });
  const exited = new Promise<number>((resolve) => {
    suite.once('error', (error) => {
      console.error(`test:under-load: could not start npm test: ${error.message}`);
      resolve(1);
    });
    suite.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
  return { suite, exited };
}

function formatDuration(elapsed_ms: number): string {
  const total_s = Math.round(elapsed_ms / 1000);
  return `${Math.floor(total_s / 60)} min ${total_s % 60} s`;
}

const busyLoopCount = availableParallelism();
const busyLoops = startBusyLoops(busyLoopCount);
// Whatever ends this process, the loops end with it.
process.on('exit', () => stopAll(busyLoops));

const started_ms = performance.now();
console.log(`test:under-load: ${busyLoopCount} busy loops keep every core occupied; running npm test`);
const { suite, exited } = runSuite();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    suite.kill(signal);
    stopAll(busyLoops);
  });
}

const code = await exited;
stopAll(busyLoops);
console.log(
  `test:under-load: npm test exited with code ${code} after ${formatDuration(performance.now() - started_ms)} (${busyLoopCount} busy loops)`,
);
process.exit(code);
