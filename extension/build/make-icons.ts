import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePng, type Rgba } from './png';

// Regenerates extension/icons/icon-<size>.png. The PNGs are committed; run this only
// when the design changes: npx tsx extension/build/make-icons.ts

export const ICON_SIZES = [16, 32, 48, 128] as const;

const BLUE: Rgba = [37, 99, 235, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** A blue disc with a white "T" (for tab), drawn in unit coordinates so every size matches. */
export function iconPixel(size: number, x: number, y: number): Rgba {
  const u = (x + 0.5) / size;
  const v = (y + 0.5) / size;
  if ((u - 0.5) ** 2 + (v - 0.5) ** 2 > 0.25) return CLEAR;
  const inBar = v >= 0.24 && v <= 0.38 && u >= 0.24 && u <= 0.76;
  const inStem = u >= 0.43 && u <= 0.57 && v >= 0.24 && v <= 0.78;
  return inBar || inStem ? WHITE : BLUE;
}

function main(): void {
  const dir = fileURLToPath(new URL('../icons/', import.meta.url));
  for (const size of ICON_SIZES) {
    writeFileSync(
      `${dir}icon-${size}.png`,
      encodePng(size, (x, y) => iconPixel(size, x, y)),
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
