// Checks the direction of dependencies between the packages (.dependency-cruiser.cjs) and prints
// every import that breaks a rule; exits 1 if one does. Part of `npm test`.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DependencyViolation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
}

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = join(REPOSITORY, '.dependency-cruiser.cjs');
const CLI = join(REPOSITORY, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
/** Every folder that holds a package (the workspaces of package.json). */
export const CHECKED_FOLDERS = [
  'protocol',
  'test-kit',
  'operator-server',
  'merchant-widget',
  'extension',
  'e2e',
  'bench',
  'chaos',
];

/** The imports under `root` (a tree laid out as this repository) that break a rule of the configuration. */
export function dependencyViolations(
  root: string = REPOSITORY,
  folders: readonly string[] = CHECKED_FOLDERS,
): Promise<DependencyViolation[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, '--config', CONFIG, '--output-type', 'json', ...folders],
      { cwd: root, maxBuffer: 256 * 1024 * 1024 },
      // The CLI exits non-zero when it finds violations; its JSON report is on stdout either way.
      (error, stdout, stderr) => {
        if (!stdout.trim().startsWith('{'))
          return reject(new Error(`dependency-cruiser failed: ${error?.message ?? ''}\n${stderr}`));
        const report = JSON.parse(stdout) as {
          summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> };
        };
        resolve(
          report.summary.violations.map((violation) => ({
            rule: violation.rule.name,
            from: violation.from,
            to: violation.to,
          })),
        );
      },
    );
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const violations = await dependencyViolations();
  for (const violation of violations) console.error(`${violation.rule}: ${violation.from} → ${violation.to}`);
  console.log(
    violations.length === 0
      ? 'dependencies: every import follows the package rules'
      : `dependencies: ${violations.length} imports break the package rules`,
  );
  process.exitCode = violations.length === 0 ? 0 : 1;
}
