// The licence the repository's package.json names, for the API documents' info.license.

import { readFileSync } from 'node:fs';

/** The SPDX identifier in package.json's `license`, or undefined while the project has chosen none. */
export function packageLicense(): string | undefined {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { license?: unknown };
  return typeof manifest.license === 'string' && manifest.license !== '' ? manifest.license : undefined;
}
