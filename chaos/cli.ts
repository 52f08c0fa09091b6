// npm run chaos -- [--rounds N] [--seed S] [--json] [--keep] [--dir DIR] [--store URL]
// Rounds of the crash suite (chaos/round.ts), each from its own seed; the first round's seed is
// the run's, so `--rounds 1 --seed <a round's seed>` replays that round. Exits 1 when a round
// failed.

import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_SEED, roundSeed } from './random';
import { describeRound, describeSummary, summarise } from './report';
import { runRound, type RoundResult, type RoundStore } from './round';
import { serverUrlProblem } from '@opentab/server-kit';

const USAGE = `npm run chaos -- [--rounds N] [--seed S] [--json] [--keep] [--dir DIR] [--store URL]

  --rounds N   rounds to run (default 5)
  --seed S     the run's seed, 0 to ${MAX_SEED} (default: a random one, printed)
  --json       print one JSON object (rounds, totals, invariants) instead of text
  --keep       keep the data and logs of rounds that passed too (failed rounds' are always kept)
  --dir DIR    where rounds' directories are made (default: $TMPDIR/opentab-chaos)
  --store URL  run on PostgreSQL: postgres://user@host:port/db, a user who may create databases;
               each round makes its own (<db>_r<seed>_<tag>_op_se, _op_eu, _agent) and drops
               them when it passes. op-se then runs as two processes on its one database.
               Default: SQLite files in each round's directory.
`;

function fail(message: string): never {
  process.stderr.write(`chaos: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rounds: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      keep: { type: 'boolean' },
      dir: { type: 'string' },
      store: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const rounds = Number(values.rounds ?? '5');
  if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > 10_000)
    fail('--rounds takes a whole number from 1 to 10000');
  const seed = values.seed === undefined ? randomInt(0, MAX_SEED) : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED)
    fail(`--seed takes a whole number from 0 to ${MAX_SEED}`);
  const baseDir = values.dir ?? join(tmpdir(), 'opentab-chaos');
  const json = values.json === true;
  let store: RoundStore = { kind: 'sqlite' };
  if (values.store !== undefined) {
    const problem = serverUrlProblem(values.store);
    if (problem !== null) fail(`--store: ${problem}`);
    store = { kind: 'postgres', serverUrl: values.store };
  }

  if (!json)
    process.stdout.write(
      `chaos: ${rounds} rounds from seed ${seed}${store.kind === 'postgres' ? ', on PostgreSQL' : ''}\n`,
    );
  const results: RoundResult[] = [];
  for (let index = 0; index < rounds; index++) {
    const result = await runRound({ seed: roundSeed(seed, index), baseDir, keep: values.keep === true, store });
    results.push(result);
    if (!json) process.stdout.write(`${describeRound(index, result)}\n`);
  }
  const summary = summarise(seed, results);
  if (json) {
    process.stdout.write(`${JSON.stringify({ summary, rounds: results }, null, 2)}\n`);
    // The verdict still ends the run for a person watching, beside the JSON a program reads.
    process.stderr.write(`chaos: ${summary.passed} passed, ${summary.failed} failed\n`);
  } else {
    process.stdout.write(`${describeSummary(summary)}\n`);
  }
  if (summary.failed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(2);
});
