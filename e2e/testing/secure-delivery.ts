// What the secure-delivery specs check against, outside any browser: the shop's original files
// (written at its start into its data directory), the merchant's sales, and the arbiter's verdict
// on an exported evidence bundle from the real `opentab-operator arbiter verify` process.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DELIVERY_FOLDER } from '@opentab/demo-shop';
import type { DemoWorld } from '../world/demo-world';

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** The file the shop prepared for `fileName`, as the merchant has it (before any encryption). */
export function originalFile(world: DemoWorld, fileName: string): Buffer {
  return readFileSync(join(world.dir, 'shop', DELIVERY_FOLDER, fileName));
}

/** What the merchant agent sold, over all tabs. */
export async function merchantSales(world: DemoWorld): Promise<{ count: number; spent_minor: bigint }> {
  return (await world.shop.agent.tabs()).reduce(
    (sum, tab) => ({ count: sum.count + tab.purchaseCount, spent_minor: sum.spent_minor + tab.spent.minor }),
    { count: 0, spent_minor: 0n },
  );
}

/** The CA key an arbiter trusts: the key that signed the merchant operator's certificate. */
export async function caKeyOf(world: DemoWorld): Promise<string> {
  const info = (await (await fetch(`${world.merchantOperator.url}/v1/operator`)).json()) as {
    certificate: { kid: string };
  };
  return info.certificate.kid;
}

/** Runs the arbiter's tool on a bundle: its exit code and what it printed. */
export async function arbiterVerify(bundlePath: string, caKey: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_DIR, 'operator-server/src/cli/main.ts'),
        'arbiter',
        'verify',
        bundlePath,
        '--ca-key',
        caKey,
      ],
      { cwd: REPO_DIR, timeout: 120_000 },
    );
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
    };
  }
}
