// Builds the operator console (preact, uPlot) with Vite into one directory of static files that
// the operator serves under /console (dist/console by default; see admin/console-files.ts).

import { fileURLToPath } from 'node:url';
import { build, type InlineConfig } from 'vite';

export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL('..', import.meta.url));

export async function buildConsole(outDir: string, logLevel: InlineConfig['logLevel'] = 'warn'): Promise<string> {
  await build({
    configFile: false,
    root: CONSOLE_SOURCE_DIR,
    // Every file is asked for under /console/ on the operator's own origin.
    base: '/console/',
    logLevel,
    publicDir: false,
    // JSX needs no option: Vite's Oxc transform reads jsx/jsxImportSource (preact) from tsconfig.json.
    build: {
      outDir,
      emptyOutDir: true,
      target: ['chrome120', 'firefox128', 'safari17'],
      modulePreload: { polyfill: false },
      reportCompressedSize: false,
    },
  });
  return outDir;
}
