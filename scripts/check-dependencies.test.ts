// The package rules catch what they forbid: the checker runs on a small tree laid out as this
// repository, with one forbidden import of each kind, and on the repository itself.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyViolations, type DependencyViolation } from './check-dependencies';

const FIXTURE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', allowJs: false },
  }),
  // Allowed: the core on its own, a role on its own modules, a role's test on its own helpers.
  'protocol/core/money.ts': "import { digits } from './digits';\nexport const cents = 10 ** digits;\n",
  'protocol/core/digits.ts': 'export const digits = 2;\n',
  'operator-server/src/ledger.ts': "import { rate } from './rates';\nexport const unit = rate;\n",
  'operator-server/src/rates.ts': 'export const rate = 1;\n',
  'operator-server/src/ledger.test.ts': "import { helper } from '../testing/helper';\nexport const used = helper;\n",
  'operator-server/testing/helper.ts': 'export const helper = 1;\n',
  // Forbidden, one of each.
  'protocol/core/clock.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
  'extension/background/pay.ts':
    "import { unit } from '../../operator-server/src/ledger';\nexport const paid = unit;\n",
  'operator-server/src/admin.ts': "import { helper } from '../testing/helper';\nexport const admin = helper;\n",
  'merchant-widget/agent/agent.test.ts':
    "import { helper } from '../../operator-server/testing/helper';\nexport const borrowed = helper;\n",
};

let root: string;
let violations: DependencyViolation[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'opentab-dependencies-'));
  for (const [path, text] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  violations = await dependencyViolations(root, ['protocol', 'operator-server', 'merchant-widget', 'extension']);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const broken = (from: string) =>
  violations
    .filter((violation) => violation.from === from)
    .map((violation) => violation.rule)
    .sort();

describe('the package rules', () => {
  it('refuse a Node module in the protocol core', () => {
    expect(broken('protocol/core/clock.ts')).toEqual(['browser-code-imports-no-node']);
  });

  it('refuse a role importing another role, by path', () => {
    expect(broken('extension/background/pay.ts')).toEqual([
      'imports-leave-a-package-by-its-name',
      'roles-are-independent:extension',
    ]);
  });

  it('refuse product code importing a test helper', () => {
    expect(broken('operator-server/src/admin.ts')).toEqual(['product-never-imports-tests']);
  });

  it("refuse a test borrowing another package's helpers instead of the test kit's", () => {
    expect(broken('merchant-widget/agent/agent.test.ts')).toEqual([
      'imports-leave-a-package-by-its-name',
      'roles-are-independent:merchant-widget/agent',
      'tests-share-helpers-through-the-test-kit',
    ]);
  });

  it('allow what follows the rules', () => {
    for (const allowed of [
      'protocol/core/money.ts',
      'operator-server/src/ledger.ts',
      'operator-server/src/ledger.test.ts',
    ])
      expect(broken(allowed)).toEqual([]);
  });

  it('hold in this repository', async () => {
    expect(await dependencyViolations()).toEqual([]);
  }, 60_000);
});
