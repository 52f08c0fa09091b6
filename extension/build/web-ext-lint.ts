import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_DIR } from './entries';

// Runs Mozilla's add-on linter (what addons.mozilla.org runs on upload) over a Firefox build.
// web-ext ships no TypeScript types, so its CLI is driven with JSON output instead.

export interface LintMessage {
  code: string;
  message: string;
  file?: string;
  line?: number;
}

export interface LintReport {
  summary: { errors: number; notices: number; warnings: number };
  errors: LintMessage[];
  notices: LintMessage[];
  warnings: LintMessage[];
}

const WEB_EXT = `${REPO_DIR}node_modules/.bin/web-ext`;

export async function lintFirefoxBuild(sourceDir: string): Promise<LintReport> {
  const args = ['lint', '--source-dir', sourceDir, '--output', 'json', '--no-config-discovery'];
  // web-ext exits non-zero when it finds errors; the report on stdout is still complete.
  const stdout = await promisify(execFile)(WEB_EXT, args, { maxBuffer: 16 << 20 }).then(
    (result) => result.stdout,
    (error: { stdout?: string }) => {
      if (!error.stdout) throw error;
      return error.stdout;
    },
  );
  return JSON.parse(stdout) as LintReport;
}
