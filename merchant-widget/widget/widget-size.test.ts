import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from './build/build-widget';
import { measureScript, WIDGET_GZIP_BUDGET_BYTES } from './build/gzip-size';

// The shipped file, built fresh the same way `npm run build:widget` builds dist/widget/widget.js.

let buildRoot: string;
let widgetPath: string;
let widgetSource: string;

beforeAll(async () => {
  buildRoot = await mkdtemp(join(tmpdir(), 'opentab-widget-size-'));
  widgetPath = await buildWidget(buildRoot, 'silent');
  widgetSource = await readFile(widgetPath, 'utf8');
}, 60_000);

afterAll(async () => {
  await rm(buildRoot, { recursive: true, force: true });
});

describe('built widget.js', () => {
  it(`is at most ${WIDGET_GZIP_BUDGET_BYTES} bytes gzipped`, async () => {
    const size = await measureScript(widgetPath);
    console.info(`widget.js: ${size.raw_bytes} bytes, ${size.gzip_bytes} bytes gzipped`);
    expect(size.gzip_bytes).toBeLessThanOrEqual(WIDGET_GZIP_BUDGET_BYTES);
  });

  it('is one minified classic script whose only top-level statement is a function call', () => {
    // An IIFE: every name stays inside the function; window.Opentab is assigned, not declared.
    expect(widgetSource.startsWith('(function(){')).toBe(true);
    expect(widgetSource.trimEnd().endsWith('})();')).toBe(true);
    expect(widgetSource).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('uses no eval, no Function constructor and no string timers that a strict CSP would block', () => {
    expect(widgetSource).not.toMatch(/\beval\s*\(/);
    expect(widgetSource).not.toMatch(/\bnew\s+Function\b|\bFunction\s*\(/);
    expect(widgetSource).not.toMatch(/setTimeout\s*\(\s*[`'"]/);
    expect(widgetSource).not.toMatch(/\.innerHTML\s*=/);
  });

  it('is pure ASCII, so a server that omits the charset cannot garble its text', () => {
    expect(widgetSource).toMatch(/^[\x00-\x7f]*$/);
  });

  it('bundles none of valibot or the protocol money tables', () => {
    expect(widgetSource).not.toMatch(/valibot|safeParse|ISO 4217/);
  });
});
