// The crash suite's only source of choices: a seeded PRNG (sfc32), so that a seed names one plan
// of faults, customers and purchases exactly. Each part of a round draws from its own stream
// (`stream(label)`), so adding a draw to one part leaves every other part's choices unchanged.
// What a seed cannot fix is how the OS schedules the processes: a replay runs the same plan, and
// a failure that depends on a race may need a few runs of the same seed to show again.

export const MAX_SEED = 0xffff_ffff;

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED)
      throw new RangeError(`a seed is a whole number from 0 to ${MAX_SEED}, not ${seed}`);
    this.a = 0x9e37_79b9;
    this.b = 0x243f_6a88;
    this.c = 0xb7e1_5162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min || max - min > MAX_SEED)
      throw new RangeError(`no whole numbers from ${min} to ${max}`);
    return min + (this.next() % (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() / (MAX_SEED + 1) < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from nothing');
    return items[this.int(0, items.length - 1)]!;
  }

  /** An independent stream for one part of a round, fixed by this seed and the label. */
  stream(label: string): Random {
    return new Random(mixSeed(this.seed, label));
  }
}

/**
 * A 32-bit seed from a seed and a label: the seed XOR-ed with the label's FNV-1a hash, then
 * murmur3's finaliser. The finaliser is a bijection on 32 bits, so for one label distinct seeds
 * always give distinct streams, and neighbouring seeds give unrelated ones.
 */
export function mixSeed(seed: number, label: string): number {
  return finalise32((seed ^ labelHash(label)) >>> 0);
}

/** FNV-1a over the label's UTF-16 code units. */
function labelHash(label: string): number {
  let hash = 0x811c_9dc5;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x0100_0193);
  return hash >>> 0;
}

/** murmur3's fmix32: every input bit reaches every output bit, and no two inputs share an output. */
function finalise32(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85eb_ca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2_ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The seed of round `index` of a run: the run's seed itself for the first, so `--rounds 1 --seed <round seed>` replays any round. */
export function roundSeed(runSeed: number, index: number): number {
  return index === 0 ? runSeed : mixSeed(runSeed, `round ${index}`);
}
