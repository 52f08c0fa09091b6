// Lints an OpenAPI document with Redocly's CLI (a devDependency), offline: its built-in
// "recommended" rules, no telemetry, no update check.

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface LintProblem {
  readonly severity: 'error' | 'warn';
  readonly ruleId: string;
  readonly message: string;
  /** JSON pointer of the first place the problem is at. */
  readonly pointer: string;
}

const CLI = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');

export async function lintOpenApi(document: unknown): Promise<LintProblem[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'opentab-openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(document, null, 2));
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, 'lint', file, '--extends', 'recommended', '--format', 'json', '--max-problems', '1000'],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        maxBuffer: 64 * 1024 * 1024,
      },
      // The CLI exits 1 when it finds errors; its JSON report is on stdout either way.
      (error, out, stderr) =>
        out.trim().startsWith('{')
          ? resolve(out)
          : reject(new Error(`redocly lint failed: ${error?.message ?? ''}\n${stderr}`)),
    );
  });
  const report = JSON.parse(stdout) as {
    problems: Array<{
      severity: 'error' | 'warn';
      ruleId: string;
      message: string;
      location: Array<{ pointer: string }>;
    }>;
  };
  return report.problems.map((problem) => ({
    severity: problem.severity,
    ruleId: problem.ruleId,
    message: problem.message,
    pointer: problem.location[0]?.pointer ?? '',
  }));
}
