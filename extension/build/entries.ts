import { fileURLToPath } from 'node:url';

// Where the sources live and where each built file lands. The output names must match
// the paths written in the top-level manifest.json (the build checks that they do).

export const EXTENSION_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The one source manifest sits at the repository root, as the project layout demands. */
export const SOURCE_MANIFEST = `${REPO_DIR}manifest.json`;
export const ICONS_DIR = `${EXTENSION_DIR}icons`;

/** HTML pages; each lands at the same relative path in the build (popup/popup.html, ...). */
export const PAGES = {
  popup: `${EXTENSION_DIR}popup/popup.html`,
  options: `${EXTENSION_DIR}options/options.html`,
  confirm: `${EXTENSION_DIR}confirm/confirm.html`,
  unlock: `${EXTENSION_DIR}unlock/unlock.html`,
  delivery: `${EXTENSION_DIR}delivery/delivery.html`,
};

/** Scripts that must each be a single self-contained file. */
export const BACKGROUND = { source: `${EXTENSION_DIR}background/index.ts`, output: 'background.js' };
export const CONTENT = { source: `${EXTENSION_DIR}content/index.ts`, output: 'content.js' };

export function defaultOutDir(target: string): string {
  return `${REPO_DIR}dist/${target}`;
}
