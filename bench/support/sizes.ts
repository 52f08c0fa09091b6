// Store sizes as the benchmark's metric names and its command line spell them: 1k, 100k, 1M.

const SUFFIXES: ReadonlyArray<readonly [suffix: string, factor: number]> = [
  ['M', 1_000_000],
  ['k', 1_000],
];

/** 1000 → "1k", 100000 → "100k", 1000000 → "1M", 2500 → "2500". */
export function sizeLabel(size: number): string {
  for (const [suffix, factor] of SUFFIXES) if (size % factor === 0) return `${size / factor}${suffix}`;
  return String(size);
}

/**
 * "1k,100k,1M" → [1000, 100000, 1000000]: a comma-separated list of positive whole numbers, each
 * optionally with k or M, given smallest first without repeats (the first is what the others are
 * compared with). Throws with the reason on anything else.
 */
export function parseSizeList(text: string): number[] {
  const sizes = text.split(',').map((part) => {
    const match = /^(\d+)(k|M)?$/.exec(part.trim());
    if (match === null) throw new Error(`"${part.trim()}" is not a size: write it as 1000, 1k or 1M`);
    const factor = SUFFIXES.find(([suffix]) => suffix === match[2])?.[1] ?? 1;
    const size = Number(match[1]) * factor;
    if (size < 1 || !Number.isSafeInteger(size)) throw new Error(`"${part.trim()}" is not a size of at least 1`);
    return size;
  });
  for (let i = 1; i < sizes.length; i++)
    if (sizes[i]! <= sizes[i - 1]!)
      throw new Error(
        `sizes go smallest first without repeats: ${sizeLabel(sizes[i]!)} after ${sizeLabel(sizes[i - 1]!)}`,
      );
  return sizes;
}
