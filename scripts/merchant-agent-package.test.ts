// @opentab/merchant-agent installs as a merchant would install it: the package is built and packed
// (npm pack), installed from the tarball into a project of its own outside this repository (its
// npm dependencies from the registry), the README's snippet is compiled there by tsc under
// moduleResolution NodeNext and run, and a customer buys an article from it through two real
// operators of this repository.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signerFromSecretKey, toBase64url, verifyEnvelope, fromBase64urlOfLength } from '@opentab/protocol';
import { findFreePort, nodeCrypto, waitFor } from '@opentab/test-kit';
import { startOperatorWorld, TestCustomer, type OperatorWorld } from '@opentab/test-kit/worlds';
import { buildMerchantAgentPackage, packMerchantAgent } from './pack-merchant-agent';

const run = promisify(execFile);
const REPOSITORY = new URL('../', import.meta.url).pathname;
const rootManifest = JSON.parse(readFileSync(join(REPOSITORY, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

/** The README's server snippet: the ts block that imports @opentab/merchant-agent. */
function readmeSnippet(): string {
  const readme = readFileSync(join(REPOSITORY, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((match) => match[1]!)
    .find((code) => code.includes("from '@opentab/merchant-agent'"));
  if (block === undefined) throw new Error('README.md has no ts snippet importing @opentab/merchant-agent');
  return block;
}

function filledIn(snippet: string, values: Record<string, string>): string {
  let code = snippet;
  for (const [placeholder, value] of Object.entries(values)) {
    if (!code.includes(placeholder)) throw new Error(`the README snippet no longer contains ${placeholder}`);
    code = code.replaceAll(placeholder, value);
  }
  return code;
}

let project: string;
let world: OperatorWorld;
let shop: ChildProcess | null = null;
let shopLog = '';
let agentUrl: string;
let merchantPublicKey: string;
let packageDir: string;

/**
 * A bound, not an expectation: the set-up builds the package, installs it from the registry (where
 * no prebuilt better-sqlite3 can be fetched, npm compiles it from source) and runs tsc. On two
 * cores kept busy by other work that took over ten minutes, so the bound is generous.
 */
const PACKAGE_SET_UP_BOUND_MS = 30 * 60_000;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'opentab-merchant-project-'));
  packageDir = await buildMerchantAgentPackage();
  const tarball = packMerchantAgent(packageDir, project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'a-shop', version: '1.0.0', private: true, type: 'module' }, null, 2),
  );
  const devDependencies = ['typescript', '@types/node'].map((name) => `${name}@${rootManifest.devDependencies[name]}`);
  await run('npm', ['install', '--no-audit', '--no-fund', tarball, ...devDependencies], {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024,
  });

  world = await startOperatorWorld({
    operators: [
      { operatorId: 'op-se', currency: 'SEK' },
      { operatorId: 'op-eu', currency: 'EUR' },
    ],
  });
  const port = await findFreePort();
  const merchantSecretKey = nodeCrypto.ed25519.generateSecretKey();
  merchantPublicKey = signerFromSecretKey(nodeCrypto, merchantSecretKey).kid;
  agentUrl = `http://127.0.0.1:${port}/opentab`;
  const merchantOperator = world.operator('op-eu');
  await merchantOperator.admin.call('registerMerchant', {
    merchantId: 'news',
    displayName: 'The Daily Tab',
    currency: 'EUR',
    origins: [`http://127.0.0.1:${port}`],
    agentUrl,
    publicKey: merchantPublicKey,
  });
  writeFileSync(
    join(project, 'server.ts'),
    filledIn(readmeSnippet(), {
      'https://op-eu.example': merchantOperator.url,
      '<operator key, base64url>': merchantOperator.running.context.identity.signer.kid,
      '<32-byte key, base64url>': toBase64url(merchantSecretKey),
      '<32+ bytes, base64url>': toBase64url(nodeCrypto.randomBytes(32)),
      '.listen(8080)': `.listen(${port}, '127.0.0.1')`,
    }),
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'dist',
        },
        files: ['server.ts'],
      },
      null,
      2,
    ),
  );
  await run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project });

  shop = spawn(process.execPath, ['dist/server.js'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  shop.stdout!.on('data', (chunk: Buffer) => (shopLog += chunk.toString()));
  shop.stderr!.on('data', (chunk: Buffer) => (shopLog += chunk.toString()));
  await waitFor(
    'the shop to serve the agent',
    async () => (await fetch(`${agentUrl}/info`).catch(() => null))?.ok === true,
    30_000,
  );
}, PACKAGE_SET_UP_BOUND_MS);

afterAll(async () => {
  shop?.kill('SIGTERM');
  await world?.close();
  if (project !== undefined) rmSync(project, { recursive: true, force: true });
});

describe('@opentab/merchant-agent installed from its tarball', () => {
  it('ships bundles, declarations, the widget and a manifest that needs nothing unpublished', () => {
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules/@opentab/merchant-agent/package.json'), 'utf8'),
    ) as {
      license: string;
      dependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
    };
    expect(manifest.license).toBe('Apache-2.0');
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith('@opentab/'))).toEqual([]);
    expect(manifest.dependencies['better-sqlite3']).toMatch(/^\^12\./);
    expect(manifest.peerDependenciesMeta).toEqual({ express: { optional: true }, fastify: { optional: true } });
  });

  it("runs the README's snippet: the agent answers and serves the widget file of the package", async () => {
    const info = (await (await fetch(`${agentUrl}/info`)).json()) as { merchantId: string };
    expect(info.merchantId).toBe('news');
    const widget = await fetch(`${agentUrl}/widget.js`);
    expect(widget.status).toBe(200);
    expect(await widget.text()).toBe(
      readFileSync(join(project, 'node_modules/@opentab/merchant-agent/widget.js'), 'utf8'),
    );
  });

  it('sells an article through real operators: a tab opens, the purchase gets a receipt signed by the merchant', async () => {
    const customerOperator = world.operator('op-se');
    const { accountId } = await customerOperator.admin.call('createCustomer', {
      creditLimit: { currency: 'SEK', value: '100.00' },
    });
    const { code } = await customerOperator.admin.call('enrollmentCode', {}, { accountId });
    const customer = await TestCustomer.enroll(customerOperator.url, code);
    const tab = await customer.openTab({
      merchantId: 'news',
      merchantOperatorId: 'op-eu',
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '10.00' },
    });
    const receipt = await tab.buy(agentUrl, 'article-42', { currency: 'EUR', value: '0.05' });
    expect(receipt.payload).toMatchObject({
      tabId: tab.tabId,
      itemId: 'article-42',
      price: { currency: 'EUR', value: '0.05' },
    });
    expect(receipt.kid).toBe(merchantPublicKey);
    expect(verifyEnvelope(nodeCrypto, receipt, fromBase64urlOfLength(merchantPublicKey, 32))).toBe(true);
  }, 60_000);
});
