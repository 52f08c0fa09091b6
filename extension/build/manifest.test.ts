import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXTENSION_DIR, REPO_DIR, SOURCE_MANIFEST } from './entries';
import { manifestFor, referencedFiles, type Manifest } from './manifest';

const source: Manifest = {
  manifest_version: 3,
  name: 'Opentab',
  version: '1.2.3',
  action: { default_popup: 'popup/popup.html', default_icon: { '16': 'icons/icon-16.png' } },
  options_ui: { page: 'options/options.html' },
  icons: { '16': 'icons/icon-16.png', '128': 'icons/icon-128.png' },
  background: { service_worker: 'background.js', type: 'module' },
  content_scripts: [{ matches: ['https://*/*'], js: ['content.js'], run_at: 'document_start' }],
  permissions: ['storage'],
  browser_specific_settings: { gecko: { id: 'opentab@opentab.dev', strict_min_version: '140.0' } },
};

describe('manifestFor', () => {
  it('gives Chrome the service worker and drops the Gecko settings', () => {
    const chrome = manifestFor('chrome', source);
    expect(chrome.background).toEqual({ service_worker: 'background.js', type: 'module' });
    expect(chrome).not.toHaveProperty('browser_specific_settings');
    expect(chrome.content_scripts).toEqual(source.content_scripts);
    expect(chrome.permissions).toEqual(['storage']);
  });

  it('gives Firefox a background script and keeps the Gecko settings', () => {
    const firefox = manifestFor('firefox', source);
    expect(firefox.background).toEqual({ scripts: ['background.js'], type: 'module' });
    expect(firefox.browser_specific_settings).toEqual(source.browser_specific_settings);
    expect(firefox.action).toEqual(source.action);
  });

  it('omits the module type when the source has none', () => {
    const classic = { ...source, background: { service_worker: 'bg.js' } };
    expect(manifestFor('chrome', classic).background).toEqual({ service_worker: 'bg.js' });
    expect(manifestFor('firefox', classic).background).toEqual({ scripts: ['bg.js'] });
  });

  it('leaves the source untouched and shares no objects with it', () => {
    const before = structuredClone(source);
    const firefox = manifestFor('firefox', source);
    (firefox.content_scripts as { js: string[] }[])[0]!.js.push('extra.js');
    expect(source).toEqual(before);
  });

  it('refuses manifests it cannot translate', () => {
    expect(() => manifestFor('chrome', { ...source, manifest_version: 2 })).toThrow(/V3/);
    expect(() => manifestFor('firefox', { ...source, background: {} })).toThrow(/service_worker/);
  });
});

describe('referencedFiles', () => {
  it('lists every packaged file once, for either browser', () => {
    const expected = [
      'background.js',
      'content.js',
      'icons/icon-128.png',
      'icons/icon-16.png',
      'options/options.html',
      'popup/popup.html',
    ];
    expect(referencedFiles(manifestFor('chrome', source))).toEqual(expected);
    expect(referencedFiles(manifestFor('firefox', source))).toEqual(expected);
  });
});

describe('manifest.json (repository root)', () => {
  it('is the top-level file, not one inside extension/', () => {
    expect(SOURCE_MANIFEST).toBe(`${REPO_DIR}manifest.json`);
    expect(existsSync(`${EXTENSION_DIR}manifest.json`)).toBe(false);
  });

  const real = JSON.parse(readFileSync(SOURCE_MANIFEST, 'utf8')) as Manifest;

  it('asks only for the permissions the customer agent needs', () => {
    expect(real.permissions).toEqual(['storage', 'alarms']);
    // fetch() to any operator or merchant agent, and the page bridge on any merchant page.
    expect(real.host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(real.content_scripts).toEqual([
      { matches: ['http://*/*', 'https://*/*'], js: ['content.js'], run_at: 'document_start' },
    ]);
    expect(real).not.toHaveProperty('content_security_policy');
  });

  it('translates for both browsers', () => {
    expect(manifestFor('chrome', real).background?.service_worker).toBe('background.js');
    const gecko = manifestFor('firefox', real).browser_specific_settings?.gecko;
    expect(gecko).toMatchObject({ id: 'opentab@opentab.dev' });
  });
});
