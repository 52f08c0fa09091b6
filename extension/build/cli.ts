import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildExtension } from './build';
import { defaultOutDir } from './entries';
import { TARGETS, type Target } from './manifest';

// npm run build:extension [-- chrome|firefox ...] [--out-root DIR]
// Writes <out-root>/<target>/ for each target (default: dist/chrome and dist/firefox).

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'out-root': { type: 'string' } },
});

function isTarget(name: string): name is Target {
  return (TARGETS as readonly string[]).includes(name);
}

const unknown = positionals.filter((name) => !isTarget(name));
if (unknown.length) {
  console.error(`unknown target(s): ${unknown.join(', ')}; expected ${TARGETS.join(' or ')}`);
  process.exit(2);
}
const targets = positionals.length ? (positionals as Target[]) : TARGETS;
const outRoot = values['out-root'];

for (const target of targets) {
  const outDir = outRoot ? resolve(outRoot, target) : defaultOutDir(target);
  await buildExtension({ target, outDir, logLevel: 'info' });
  console.log(`built ${target}: ${outDir}`);
}
