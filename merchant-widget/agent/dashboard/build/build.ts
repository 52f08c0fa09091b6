// Builds the merchant dashboard (preact, uPlot) with Vite into one directory of static files that
// the merchant agent serves under `<mount>/dashboard/` (dist/merchant-dashboard by default; see
// admin/dashboard-files.ts).

import { fileURLToPath } from 'node:url';
import { build, type InlineConfig } from 'vite';

export const DASHBOARD_SOURCE_DIR = fileURLToPath(new URL('..', import.meta.url));

export async function buildDashboard(outDir: string, logLevel: InlineConfig['logLevel'] = 'warn'): Promise<string> {
  await build({
    configFile: false,
    root: DASHBOARD_SOURCE_DIR,
    // Relative: the agent is mounted wherever its merchant chose.
    base: './',
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
