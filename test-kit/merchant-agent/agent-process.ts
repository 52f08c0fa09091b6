// The merchant agent as the OS process a deployment runs (opentab-merchant start), for tests
// that need several of them, or need to kill one.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import type { AgentStoreConfig } from '@opentab/merchant-agent/store';
import { MERCHANT_ID, TEST_CATALOGUE } from './agent-harness';
import type { StandInMta } from './stand-in-mta';

export interface AgentProcess {
  readonly child: ChildProcess;
  /** Where the agent answers, its mount path included. */
  readonly agentUrl: string;
  /** The signal that ended it (null for an exit of its own). */
  readonly exited: Promise<NodeJS.Signals | null>;
}

/**
 * Writes an opentab-merchant configuration into `dir` for the stand-in MTA's merchant, with a
 * fresh merchant key (registered with the MTA) and access-token secret; returns its path. Agents
 * started from one such file are one merchant: they share keys and, on PostgreSQL, the store.
 */
export function writeAgentProcessConfig(
  dir: string,
  mta: StandInMta,
  store: AgentStoreConfig,
  settings: Record<string, unknown> = {},
): string {
  const merchantSecretKey = nodeCrypto.ed25519.generateSecretKey();
  mta.registerMerchant(MERCHANT_ID, toBase64url(nodeCrypto.ed25519.publicKeyOf(merchantSecretKey)));
  writeFileSync(join(dir, 'merchant.key'), `${toBase64url(merchantSecretKey)}\n`, { mode: 0o600 });
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
      store,
      merchantSecretKeyFile: './merchant.key',
      accessTokenSecretFile: './access-token.secret',
      ...settings,
    }),
  );
  return configPath;
}

/** Starts `opentab-merchant start --config …` and resolves once it printed where it listens. */
export function startAgentProcess(configPath: string, env: NodeJS.ProcessEnv = {}): Promise<AgentProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'merchant-widget/agent/cli/main.ts', 'start', '--config', configPath],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
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
