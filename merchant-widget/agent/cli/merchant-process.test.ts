// opentab-merchant as its own process: started from a JSON configuration file, it serves the
// agent; and its HTTP edge's crash-test seam (protocol/server/fault-injection.ts) commits the
// n-th answer on a path, then dies by SIGKILL before the answer leaves.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { callRoute, RemoteCallError } from '@opentab/protocol';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { KILL_AFTER_COMMIT_ENV } from '@opentab/server-kit';
import { eur, MERCHANT_ID, TEST_CATALOGUE } from '@opentab/test-kit/merchant-agent';
import { StandInMta } from '@opentab/test-kit/merchant-agent';
import { TestCustomer } from '@opentab/test-kit/merchant-agent';
import { boundForProcessSteps } from '@opentab/test-kit';

interface MerchantProcess {
  readonly child: ChildProcess;
  readonly agentUrl: string;
  readonly exited: Promise<NodeJS.Signals | null>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

/** Starts the process and resolves once it printed where it listens. */
function startMerchant(configPath: string, env: NodeJS.ProcessEnv = {}): Promise<MerchantProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'merchant-widget/agent/cli/main.ts', 'start', '--config', configPath],
    {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    },
  );
  started.push(child);
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /merchant\.started .*url=(\S+)/.exec(output)?.[1];
      if (url !== undefined) resolve({ child, agentUrl: url, exited });
    });
    void exited.then(() => reject(new Error(`the merchant process exited before it listened:\n${output}`)));
  });
}

function writeConfig(dir: string, mta: StandInMta, merchantSecretKey: string): string {
  writeFileSync(join(dir, 'merchant.key'), `${merchantSecretKey}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'access-token.secret'), `${toBase64url(nodeCrypto.randomBytes(32))}\n`, { mode: 0o600 });
  const configPath = join(dir, 'merchant.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      listen: { host: '127.0.0.1', port: 0 },
      merchantId: MERCHANT_ID,
      displayName: 'Test News',
      currency: 'EUR',
      catalogue: TEST_CATALOGUE,
      operatorId: mta.operatorId,
      operatorBaseUrl: mta.baseUrl,
      operatorPublicKey: mta.operatorPublicKey,
      databasePath: './agent.sqlite',
      merchantSecretKeyFile: './merchant.key',
      accessTokenSecretFile: './access-token.secret',
    }),
  );
  return configPath;
}

describe('opentab-merchant', () => {
  it(
    'serves the agent from its configuration file',
    async () => {
      const mta = await StandInMta.start();
      try {
        const dir = mkdtempSync(join(tmpdir(), 'opentab-merchant-'));
        const merchant = await startMerchant(
          writeConfig(dir, mta, toBase64url(nodeCrypto.ed25519.generateSecretKey())),
        );
        const info = await callRoute(merchant.agentUrl, MERCHANT_AGENT_API.info, undefined);
        expect(info).toMatchObject({
          merchantId: MERCHANT_ID,
          operatorId: mta.operatorId,
          currency: 'EUR',
          chainUnit: eur('0.01'),
        });
        merchant.child.kill('SIGTERM');
        expect(await merchant.exited).toBeNull();
      } finally {
        await mta.stop();
      }
    },
    boundForProcessSteps(1),
  );

  it(
    'commits the n-th answer on the path, then dies by SIGKILL before it is sent',
    async () => {
      const mta = await StandInMta.start();
      try {
        const dir = mkdtempSync(join(tmpdir(), 'opentab-merchant-'));
        const merchantSecretKey = toBase64url(nodeCrypto.ed25519.generateSecretKey());
        const configPath = writeConfig(dir, mta, merchantSecretKey);
        const merchant = await startMerchant(configPath, { [KILL_AFTER_COMMIT_ENV]: '/opentab/mta/tab-information:1' });
        const customer = new TestCustomer(100);
        const information = mta.tabInformation({
          merchantId: MERCHANT_ID,
          tabPublicKey: customer.tabPublicKey,
          deposit: eur('1.00'),
          chain: { root: customer.chain.commitment.root, unit: eur('0.01'), length: customer.chain.length },
          expiresAt_ms: Date.now() + 600_000,
        });
        const unanswered = await mta.announceTab(merchant.agentUrl, information).then(
          () => null,
          (error: unknown) => error,
        );
        expect(unanswered).toBeInstanceOf(RemoteCallError);
        expect((unanswered as RemoteCallError).failure.kind).toBe('unreachable');
        expect(await merchant.exited).toBe('SIGKILL');

        const db = new Database(join(dir, 'agent.sqlite'), { readonly: true });
        try {
          expect(db.prepare('SELECT tab_id, status FROM tabs').all()).toEqual([
            { tab_id: information.payload.tabId, status: 'open' },
          ]);
        } finally {
          db.close();
        }
        // Started again without the seam, it answers the MTA's retry with the answer it stored.
        const restarted = await startMerchant(configPath);
        const ack = await mta.announceTab(restarted.agentUrl, information);
        expect(ack.payload).toMatchObject({ tabId: information.payload.tabId, informationId: information.payload.id });
      } finally {
        await mta.stop();
      }
    },
    boundForProcessSteps(2),
  );
});
