// opentab-merchant as its own process: started from a JSON configuration file, it serves the agent.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callRoute } from '../../../protocol/api/client';
import { MERCHANT_AGENT_API } from '../../../protocol/api/merchant-agent-api';
import { nodeCrypto } from '../../../protocol/crypto/node';
import { toBase64url } from '../../../protocol/encoding/base64url';
import { eur, MERCHANT_ID, TEST_CATALOGUE } from '../testing/agent-harness';
import { StandInMta } from '../testing/stand-in-mta';

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
  const child = spawn(process.execPath, ['--import', 'tsx', 'merchant-widget/agent/cli/main.ts', 'start', '--config', configPath], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  started.push(child);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
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
  writeFileSync(configPath, JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 },
    merchantId: MERCHANT_ID, displayName: 'Test News', currency: 'EUR', catalogue: TEST_CATALOGUE,
    operatorId: mta.operatorId, operatorBaseUrl: mta.baseUrl, operatorPublicKey: mta.operatorPublicKey,
    databasePath: './agent.sqlite', merchantSecretKeyFile: './merchant.key', accessTokenSecretFile: './access-token.secret',
  }));
  return configPath;
}

describe('opentab-merchant', () => {
  it('serves the agent from its configuration file', async () => {
    const mta = await StandInMta.start();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'opentab-merchant-'));
      const merchant = await startMerchant(writeConfig(dir, mta, toBase64url(nodeCrypto.ed25519.generateSecretKey())));
      const info = await callRoute(merchant.agentUrl, MERCHANT_AGENT_API.info, undefined);
      expect(info).toMatchObject({ merchantId: MERCHANT_ID, operatorId: mta.operatorId, currency: 'EUR', chainUnit: eur('0.01') });
      merchant.child.kill('SIGTERM');
      expect(await merchant.exited).toBeNull();
    } finally {
      await mta.stop();
    }
  }, 60_000);
});
