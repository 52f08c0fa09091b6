// The crash suite's short form, run by `npm test`: a few rounds from fixed seeds whose plans
// between them kill every process at the boundaries of initiation, purchase, records and
// clearing, and keep one down past the record grace period. A failing round names its seed, the
// command that replays it, and where its data and logs were kept. `npm run chaos` runs more.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRound, replayCommand } from './report';
import { runRound } from './round';
import { SHORT_FORM_SEEDS } from './test-seeds';

describe('crash suite, short form', () => {
  for (const seed of SHORT_FORM_SEEDS) {
    it(`keeps every invariant through the faults of seed ${seed} (replay: ${replayCommand(seed)})`, async () => {
      const round = await runRound({ seed, baseDir: join(tmpdir(), 'opentab-chaos'), keep: false });
      expect(round.ok, describeRound(0, round)).toBe(true);
    }, 300_000);
  }
});
