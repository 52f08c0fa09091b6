import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ICONS_DIR } from './entries';
import { ICON_SIZES, iconPixel } from './make-icons';
import { encodePng } from './png';

describe('committed icons', () => {
  it.each(ICON_SIZES)('icon-%i.png is what make-icons.ts draws', (size) => {
    const committed = readFileSync(`${ICONS_DIR}/icon-${size}.png`);
    expect(committed.subarray(1, 4).toString('ascii')).toBe('PNG');
    // IHDR width and height
    expect([committed.readUInt32BE(16), committed.readUInt32BE(20)]).toEqual([size, size]);
    expect(committed.equals(encodePng(size, (x, y) => iconPixel(size, x, y)))).toBe(true);
  });
});
