import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type InlineConfig } from 'vite';
import { BACKGROUND, CONTENT, EXTENSION_DIR, ICONS_DIR, PAGES, SOURCE_MANIFEST } from './entries';
import { manifestFor, referencedFiles, type Manifest, type Target } from './manifest';

// Builds one browser's unpacked extension with three Vite runs, because the three kinds of
// output need incompatible bundling: pages share chunks, the background must be one ES module,
// the content script must be one classic script.

export interface BuildOptions {
  target: Target;
  outDir: string;
  logLevel?: InlineConfig['logLevel'];
}

// Firefox: the manifest's strict_min_version (140, for data_collection_permissions).
// Chrome: a conservative floor well above MV3 module service workers (92).
const JS_TARGET = ['chrome120', 'firefox140'];

function baseConfig({ target, outDir, logLevel }: BuildOptions): InlineConfig {
  return {
    configFile: false,
    root: EXTENSION_DIR,
    base: './',
    // MODE lets sources branch per browser via import.meta.env.MODE if they ever must.
    mode: target,
    logLevel: logLevel ?? 'warn',
    publicDir: false,
    // JSX needs no option here: Vite 8's Oxc transform reads jsx/jsxImportSource (preact)
    // from tsconfig.json, and @preact/preset-vite is only needed for HMR, which we do not use.
    build: {
      outDir,
      emptyOutDir: false,
      target: JS_TARGET,
      // Unminified output keeps store review (which reads the shipped code) simple.
      minify: false,
      // Extension pages allow no inline scripts and every browser we support has modulepreload.
      modulePreload: { polyfill: false },
      reportCompressedSize: false,
    },
  };
}

function withBuild(config: InlineConfig, extra: NonNullable<InlineConfig['build']>): InlineConfig {
  return { ...config, build: { ...config.build, ...extra } };
}

async function buildPages(options: BuildOptions): Promise<void> {
  await build(withBuild(baseConfig(options), { emptyOutDir: true, rolldownOptions: { input: PAGES } }));
}

async function buildSingleScript(
  options: BuildOptions,
  entry: { source: string; output: string },
  format: 'es' | 'iife',
): Promise<void> {
  await build(
    withBuild(baseConfig(options), {
      rolldownOptions: {
        input: entry.source,
        output: { format, entryFileNames: entry.output, codeSplitting: false },
      },
    }),
  );
}

async function readSourceManifest(): Promise<Manifest> {
  return JSON.parse(await readFile(SOURCE_MANIFEST, 'utf8')) as Manifest;
}

async function assertFilesExist(outDir: string, manifest: Manifest): Promise<void> {
  const missing: string[] = [];
  for (const file of referencedFiles(manifest)) {
    const found = await stat(join(outDir, file)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!found) missing.push(file);
  }
  if (missing.length) throw new Error(`build: manifest names missing files: ${missing.join(', ')}`);
}

export async function buildExtension(options: BuildOptions): Promise<string> {
  const { target, outDir } = options;
  await buildPages(options);
  await buildSingleScript(options, BACKGROUND, 'es');
  await buildSingleScript(options, CONTENT, 'iife');
  await cp(ICONS_DIR, join(outDir, 'icons'), { recursive: true });
  const manifest = manifestFor(target, await readSourceManifest());
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await assertFilesExist(outDir, manifest);
  return outDir;
}
