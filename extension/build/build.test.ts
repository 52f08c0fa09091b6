import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from './manifest';
import { buildToTemp, type TempBuild } from '@opentab/test-kit/browsers';
import { lintFirefoxBuild } from './web-ext-lint';

// Builds both browsers' extensions from the real sources and checks what the stores check.

let chrome: TempBuild;
let firefox: TempBuild;

beforeAll(async () => {
  chrome = await buildToTemp('chrome');
  firefox = await buildToTemp('firefox');
}, 120_000);

afterAll(async () => {
  await chrome?.cleanup();
  await firefox?.cleanup();
});

const read = (dir: string, file: string) => readFile(join(dir, file), 'utf8');
const readManifest = async (dir: string) => JSON.parse(await read(dir, 'manifest.json')) as Manifest;

describe('extension build', () => {
  it('writes each browser its own background declaration', async () => {
    expect((await readManifest(chrome.dir)).background).toEqual({
      service_worker: 'background.js',
      type: 'module',
    });
    expect((await readManifest(firefox.dir)).background).toEqual({
      scripts: ['background.js'],
      type: 'module',
    });
  });

  it('bundles the content script as one classic script', async () => {
    for (const { dir } of [chrome, firefox]) {
      const content = await read(dir, 'content.js');
      expect(content).not.toMatch(/^\s*(import|export)\b/m);
      expect(content).toContain('opentab:page-request');
      // It marks no page (protocol/core/messages/bridge.ts, Presence).
      expect(content).not.toContain('data-opentab-bridge');
    }
  });

  it('keeps the content script, injected into every page, to the bridge frame: no message schemas, no curve arithmetic', async () => {
    const content = await read(chrome.dir, 'content.js');
    // The unminified bundle names each module it holds.
    expect(
      ['node_modules/@noble/', 'protocol/core/messages/primitives.ts'].filter((module) => content.includes(module)),
    ).toEqual([]);
    expect(content.length).toBeLessThan(60_000);
  });

  it('bundles the background as one module with no chunks to load', async () => {
    const background = await read(chrome.dir, 'background.js');
    expect(background).not.toMatch(/^\s*import\b|\bimport\(/m);
  });

  it('builds the pages with no inline script (extension CSP forbids it)', async () => {
    for (const page of ['popup/popup.html', 'options/options.html', 'confirm/confirm.html']) {
      const html = await read(chrome.dir, page);
      expect(html).toMatch(/<script type="module"[^>]* src="\.\.\/assets\/[^"]+\.js"><\/script>/);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });

  it('passes web-ext lint for Firefox with zero errors', async () => {
    const report = await lintFirefoxBuild(firefox.dir);
    expect(report.errors).toEqual([]);
  }, 120_000);
});
