import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type InlineConfig } from 'vite';

// Builds the widget as one minified classic script (Vite library mode, IIFE): merchants load it
// with a plain <script> tag, and nothing but window.Opentab escapes the function scope.

export const WIDGET_DIR = fileURLToPath(new URL('..', import.meta.url));
export const WIDGET_ENTRY = join(WIDGET_DIR, 'index.ts');
export const WIDGET_FILE_NAME = 'widget.js';
export const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../../dist/widget', import.meta.url));

/** Browsers with shadow DOM, adoptedStyleSheets-or-fallback, AbortSignal.timeout and ES2020. */
const JS_TARGET = ['chrome103', 'firefox100', 'safari16'];

export interface ScriptBuild {
  entry: string;
  outDir: string;
  fileName: string;
  logLevel?: InlineConfig['logLevel'];
}

/** One self-contained IIFE script; also used by the tests for their stand-in extension bridge. */
export async function buildClassicScript({ entry, outDir, fileName, logLevel }: ScriptBuild): Promise<string> {
  await build({
    configFile: false,
    root: WIDGET_DIR,
    publicDir: false,
    logLevel: logLevel ?? 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: JS_TARGET,
      minify: true,
      reportCompressedSize: false,
      // Escaped non-ASCII text (…, ✓, ≈) survives a server that sends the script without a charset.
      rolldownOptions: { output: { charset: 'ascii' } },
      lib: {
        entry,
        formats: ['iife'],
        // Required by library mode for IIFE output; unused, because the entry exports nothing.
        name: 'OpentabWidget',
        fileName: () => fileName,
      },
    },
  });
  return join(outDir, fileName);
}

export function buildWidget(outDir: string = DEFAULT_OUT_DIR, logLevel?: InlineConfig['logLevel']): Promise<string> {
  return buildClassicScript({ entry: WIDGET_ENTRY, outDir, fileName: WIDGET_FILE_NAME, logLevel });
}
