// Runs once before the suite: checks that the browsers are there (npm test's pretest installs
// them) and builds the extension for both browsers, the widget and the operator console (where
// the operator serves it by default), so a fresh clone passes.

import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildConsole } from '@opentab/operator-server/console/build';
import { buildExtension } from '@opentab/extension/build';
import { CHROMIUM, FIREFOX, requireBrowser } from '@opentab/test-kit/browsers';
import { buildWidget } from '@opentab/widget/build';
import { BUILDS } from './fixtures/builds';

export default async function globalSetup(): Promise<void> {
  requireBrowser(CHROMIUM);
  requireBrowser(FIREFOX);
  await rm(BUILDS.root, { recursive: true, force: true });
  // One after the other: each build is a set of Vite runs that already keep both cores busy.
  await buildExtension({ target: 'chrome', outDir: BUILDS.chrome, logLevel: 'warn' });
  await buildExtension({ target: 'firefox', outDir: BUILDS.firefox, logLevel: 'warn' });
  await buildWidget(BUILDS.widgetDir, 'warn');
  await buildConsole(fileURLToPath(new URL('../dist/console/', import.meta.url)), 'warn');
}
