// `npx tsx bench/profile-summary.ts FILE.cpuprofile [--top 30]`: where a process spent its CPU,
// by function (self time, and total time including callees), by source file and by cost centre, from a V8 profile
// written with --cpu-prof (`npm run bench -- --profile` writes one per server process).

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function place(node: ProfileNode): string {
  const url = node.callFrame.url.replace(/^file:\/\//, '');
  return url === '' ? '(native)' : relative(process.cwd(), url);
}

/**
 * Rough cost centres, decided per sample from the leaf up: signing and verifying (canonical JSON
 * included) wherever they sit on the stack, SQLite where a store function or better-sqlite3 is the
 * leaf (statements run natively, so their time is the calling function's self time), then schema
 * validation, logging and HTTP anywhere on the stack.
 */
const CATEGORIES: ReadonlyArray<{ name: string; where: 'stack' | 'leaf'; pattern: RegExp }> = [
  { name: 'garbage collection', where: 'leaf', pattern: /^\(garbage collector\)/ },
  {
    name: 'Ed25519 + canonical JSON',
    where: 'stack',
    pattern: /protocol\/envelope|protocol\/crypto|node:internal\/crypto\/sig|canonicalize/,
  },
  {
    name: 'SQLite',
    where: 'leaf',
    pattern: /better-sqlite3|\/store|\/ledger\/|\/outbox\/|message-receipts|direct-order/,
  },
  { name: 'schema validation', where: 'stack', pattern: /valibot/ },
  { name: 'logging', where: 'stack', pattern: /support\/logger/ },
  { name: 'fsync', where: 'leaf', pattern: /^f(data)?sync / },
  { name: 'JSON', where: 'leaf', pattern: /^(parse|stringify) \(native\)/ },
  // Leaf only: request handlers run beneath node:_http frames, and their own work is not HTTP's.
  {
    name: 'HTTP and sockets',
    where: 'leaf',
    pattern:
      /node:_http|node:net|node:internal\/stream|node:events|^(writev|writeBuffer|writeUtf8String|readv?) |http-io|node-http-transport|api\/client/,
  },
];

function categoryOf(stack: readonly string[]): string {
  for (const category of CATEGORIES) {
    const frames = category.where === 'leaf' ? stack.slice(0, 1) : stack;
    if (frames.some((frame) => category.pattern.test(frame))) return category.name;
  }
  return 'everything else';
}

function table(title: string, totals: Map<string, number>, all_us: number, top: number): string {
  const rows = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    title,
    ...rows.map(
      ([name, us]) =>
        `${((100 * us) / all_us).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    ),
  ].join('\n');
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' } },
});
const top = Number(values.top);
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const nameOf = (node: ProfileNode) =>
    `${node.callFrame.functionName || '(anonymous)'} ${place(node)}:${node.callFrame.lineNumber + 1}`;
  const byFunction = new Map<string, number>();
  const totalByFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byCategory = new Map<string, number>();
  let all_us = 0;
  let idle_us = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const delta_us = profile.timeDeltas[i] ?? 0;
    if (node.callFrame.functionName === '(idle)') {
      idle_us += delta_us;
      return;
    }
    all_us += delta_us;
    const where = place(node);
    const name = nameOf(node);
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta_us);
    byFile.set(where, (byFile.get(where) ?? 0) + delta_us);
    // Each function on the stack once, however deep it recursed.
    const stack: string[] = [];
    for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id))
      stack.push(nameOf(byId.get(id)!));
    const category = categoryOf(stack);
    byCategory.set(category, (byCategory.get(category) ?? 0) + delta_us);
    const onStack = new Set(stack);
    for (const caller of onStack) totalByFunction.set(caller, (totalByFunction.get(caller) ?? 0) + delta_us);
  });
  process.stdout.write(`${file}: ${(all_us / 1000).toFixed(0)} ms busy, ${(idle_us / 1000).toFixed(0)} ms idle\n`);
  process.stdout.write(
    `${table('self time by function', byFunction, all_us, top)}\n${table('total time by function', totalByFunction, all_us, top)}\n`,
  );
  process.stdout.write(`${table('self time by file', byFile, all_us, top)}\n`);
  process.stdout.write(`${table('time by cost centre', byCategory, all_us, CATEGORIES.length + 1)}\n\n`);
}
