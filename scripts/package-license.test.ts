import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPENTAB_LICENSE } from '@opentab/server-kit';

const ROOT = new URL('../', import.meta.url).pathname;

function manifest(dir: string): { name?: string; license?: string; workspaces?: string[] } {
  return JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
    name?: string;
    license?: string;
    workspaces?: string[];
  };
}

describe('the licence', () => {
  it('is the one every package.json names, and the one the API documents state', () => {
    const dirs = ['.', ...(manifest('.').workspaces ?? [])];
    expect(dirs.map((dir) => [dir, manifest(dir).license])).toEqual(dirs.map((dir) => [dir, OPENTAB_LICENSE]));
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
  });
});
