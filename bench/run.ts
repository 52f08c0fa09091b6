// `npm run bench [-- --json] [-- --only verify,lifecycle] [-- --profile] [-- --store-sizes 1k,100k,1M]`:
// runs every case on 127.0.0.1 in one go, so the ratios compare figures taken on the same machine
// minutes apart. --store-sizes sets the operator_store_scaling case's sizes (1k and 100k unless
// given; 1M takes tens of minutes to fill and tens of GB of disk, so it is asked for).
// Progress goes to stderr; stdout carries only the table, or with --json only the JSON object.

import { mkdirSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBrowserCase } from './cases/browser';
import { runConcurrentTabsCase } from './cases/concurrent-tabs';
import { runDeliveryCase } from './cases/delivery';
import { runLifecycleCase } from './cases/lifecycle';
import { runOperatorStoreScalingCase } from './cases/operator-store-scaling';
import { runOperatorStoresCase } from './cases/operator-stores';
import { runScalingCase } from './cases/scaling';
import { runTabVsFig1Case } from './cases/tab-vs-fig1';
import { runVerifyCase } from './cases/verify';
import { runWidgetCase } from './cases/widget';
import { formatTable, toReport, type CaseResult } from './report';
import { parseSizeList } from './support/sizes';

interface RunContext {
  /** A fresh directory for this case's stores and logs. */
  readonly dir: string;
  /** Set with --profile: server processes write their CPU profiles here. */
  readonly cpuProfileDir?: string;
  /** The operator_store_scaling case's sizes, smallest first. */
  readonly storeSizes: readonly number[];
}

const DEFAULT_STORE_SIZES = '1k,100k';

const CASES: ReadonlyArray<{ name: string; run: (context: RunContext) => Promise<CaseResult> | CaseResult }> = [
  { name: 'verify', run: () => runVerifyCase({ measure_ms: 3_000 }) },
  { name: 'tab_vs_fig1', run: (context) => runTabVsFig1Case({ ...context, purchases: 2_000 }) },
  { name: 'lifecycle', run: (context) => runLifecycleCase({ ...context, tabs: 4_000, concurrency: 64 }) },
  {
    name: 'scaling',
    run: (context) =>
      runScalingCase({ ...context, sizes: [1_000, 10_000, 100_000], tabsPerSize: 2_000, concurrency: 64 }),
  },
  {
    name: 'concurrent_tabs',
    run: (context) =>
      runConcurrentTabsCase({
        ...context,
        tabs: 200,
        purchasesPerTab: 20,
        historySizes: [1_000, 100_000, 1_000_000],
      }),
  },
  {
    name: 'operator_stores',
    run: (context) => runOperatorStoresCase({ ...context, tabs: 1_000, concurrency: 64 }),
  },
  {
    name: 'operator_store_scaling',
    run: ({ storeSizes, ...context }) =>
      runOperatorStoreScalingCase({ ...context, sizes: storeSizes, tabsPerSize: 1_000, concurrency: 64 }),
  },
  { name: 'browser', run: (context) => runBrowserCase({ dir: context.dir, clicks: 250 }) },
  { name: 'widget', run: (context) => runWidgetCase(context) },
  { name: 'delivery', run: (context) => runDeliveryCase(context) },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'store-sizes': { type: 'string', default: DEFAULT_STORE_SIZES },
    },
    strict: true,
  });
  const storeSizes = parseSizeList(values['store-sizes']);
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !CASES.some((c) => c.name === name)) ?? [];
  if (unknown.length > 0)
    throw new Error(`unknown case ${unknown.join(', ')}; cases are ${CASES.map((c) => c.name).join(', ')}`);

  const root = mkdtempSync(join(tmpdir(), 'opentab-bench-'));
  process.stderr.write(`bench: stores, logs${values.profile ? ' and CPU profiles' : ''} in ${root}\n`);

  const results: CaseResult[] = [];
  for (const benchCase of CASES.filter((c) => only === undefined || only.includes(c.name))) {
    const dir = join(root, benchCase.name);
    mkdirSync(dir);
    const cpuProfileDir = values.profile ? join(dir, 'profiles') : undefined;
    if (cpuProfileDir !== undefined) mkdirSync(cpuProfileDir);
    process.stderr.write(`bench: ${benchCase.name}…\n`);
    const start_ms = performance.now();
    const loadBefore = loadavg()[0]!;
    const result = await benchCase.run({ dir, storeSizes, ...(cpuProfileDir !== undefined ? { cpuProfileDir } : {}) });
    // Other work on the machine moves throughput and latency by tens of per cent: say how busy it was.
    const load = `machine load average (1 min) ${loadBefore.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end`;
    results.push({ ...result, notes: [...result.notes, load] });
    process.stderr.write(`bench: ${benchCase.name} took ${((performance.now() - start_ms) / 1000).toFixed(1)} s\n`);
  }
  process.stdout.write(values.json ? `${JSON.stringify(toReport(results))}\n` : `${formatTable(results)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
