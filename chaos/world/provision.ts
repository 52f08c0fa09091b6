// Lays out one round's world the way a deployment is set up: a CA and two operator directories
// made by the operator CLI (ca-init, init, keygen), their configuration files given the crash
// world's short timeouts and their peers' relay addresses, and the merchant agent's
// configuration file for opentab-merchant. Ports are fixed here, so that a killed process comes
// back where the relays expect it. On PostgreSQL each party's configuration names its database
// (op-se's, which both its processes read, the same for both).

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { findStablePort } from '@opentab/test-kit';
import { CHAOS_CATALOGUE } from '../plan';
import { loadConfigFile, operatorDatabasePath, SAMPLE_RATE_SOURCE } from '@opentab/operator-server';
import { merchantDatabasePath } from '@opentab/merchant-agent/audit';
import {
  CHAOS_TIMING,
  CUSTOMER_OPERATOR,
  MERCHANT_ID,
  MERCHANT_OPERATOR,
  MOUNT_PATH,
  type LinkName,
  type Party,
  type ProcessName,
} from './topology';
import type { RoundDatabases } from './databases';
import type { PartyStore, WorldStores } from './stores';

const run = promisify(execFile);
const OPERATOR_CLI = 'operator-server/src/cli/main.ts';

/** A port for every process a world may have (a world on SQLite files leaves op-se-2's unused). */
export type WorldPorts = Readonly<Record<ProcessName, number>>;

export interface ProvisionedWorld {
  readonly dir: string;
  readonly ports: WorldPorts;
  /** Each party's configuration file (both op-se processes start from op-se's). */
  readonly configPaths: Readonly<Record<Party, string>>;
  readonly stores: WorldStores;
  readonly adminTokens: { readonly 'op-se': string; readonly 'op-eu': string };
  readonly merchantPublicKey: string;
  readonly logDir: string;
}

/** Ports the processes keep across their kills and restarts: outside the range the OS hands out to other
 * tests' servers meanwhile. */
export async function freePorts(): Promise<WorldPorts> {
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await findStablePort());
  const [opSe, opEu, agent, opSe2] = [...ports] as [number, number, number, number];
  return { 'op-se': opSe, 'op-eu': opEu, agent, 'op-se-2': opSe2 };
}

async function operatorCli(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', OPERATOR_CLI, ...args], { cwd: process.cwd() });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Far above what the round's handful of customers send from one address: the limits are not what this suite tests. */
const UNLIMITED = { perClient_per_s: 100_000, burst: 100_000 };

/** Each operator process's database connections: a few, as the round's traffic is light. */
const POOL_SIZE = 4;

function chaosSettings(configPath: string, storeUrl: string | null): void {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const settings = {
    ...config,
    log: 'info',
    tick_ms: CHAOS_TIMING.tick_ms,
    tabs: {
      minTimeout_s: CHAOS_TIMING.tabTimeout_s,
      maxTimeout_s: 60,
      recordGrace_s: CHAOS_TIMING.recordGrace_s,
      holdDeadline_s: CHAOS_TIMING.holdDeadline_s,
      merchantRecordWait_s: CHAOS_TIMING.merchantRecordWait_s,
      openingBound_s: CHAOS_TIMING.openingBound_s,
    },
    rateLimit: { customer: UNLIMITED, peer: UNLIMITED },
    // The crash world runs offline on any day: the sample ECB rates, labelled as samples.
    rates: { rateSource: SAMPLE_RATE_SOURCE },
    ...(storeUrl === null ? {} : { store: { kind: 'postgres', url: storeUrl, poolSize: POOL_SIZE } }),
  };
  writeFileSync(configPath, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
}

/** The store an operator's configuration file names, as its processes read it. */
function operatorStore(configPath: string): PartyStore {
  const config = loadConfigFile(configPath, {});
  return config.store.kind === 'postgres'
    ? { kind: 'postgres', url: config.store.url }
    : { kind: 'sqlite', path: operatorDatabasePath(config) };
}

export async function provisionWorld(
  dir: string,
  ports: WorldPorts,
  relayUrls: Readonly<Record<LinkName, string>>,
  /** The round's databases on PostgreSQL; null for SQLite files in each party's directory. */
  databases: RoundDatabases | null,
): Promise<ProvisionedWorld> {
  const logDir = join(dir, 'logs');
  const merchantDir = join(dir, 'merchant');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(merchantDir, { recursive: true });
  await operatorCli('ca-init', '--dir', join(dir, 'ca'));
  const init = (spec: { operatorId: string; currency: string }, port: number, peer: string) =>
    operatorCli(
      'init',
      '--dir',
      join(dir, spec.operatorId),
      '--operator-id',
      spec.operatorId,
      '--currency',
      spec.currency,
      '--port',
      String(port),
      '--ca',
      join(dir, 'ca'),
      '--peer',
      peer,
    );
  const [customerSide, merchantSide, merchantKey] = await Promise.all([
    init(CUSTOMER_OPERATOR, ports['op-se'], `${MERCHANT_OPERATOR.operatorId}=${relayUrls['am->mta']}`),
    init(MERCHANT_OPERATOR, ports['op-eu'], `${CUSTOMER_OPERATOR.operatorId}=${relayUrls['mta->am']}`),
    operatorCli('keygen', '--out', join(merchantDir, 'merchant.key')),
  ]);
  chaosSettings(String(customerSide.config), databases?.['op-se'] ?? null);
  chaosSettings(String(merchantSide.config), databases?.['op-eu'] ?? null);

  writeFileSync(join(merchantDir, 'access-token.secret'), `${toBase64url(nodeCrypto.randomBytes(32))}\n`, {
    mode: 0o600,
  });
  const merchantConfig = join(merchantDir, 'merchant.json');
  writeFileSync(
    merchantConfig,
    `${JSON.stringify(
      {
        listen: { host: '127.0.0.1', port: ports.agent },
        merchantId: MERCHANT_ID,
        displayName: 'The Chaos Times',
        currency: MERCHANT_OPERATOR.currency,
        catalogue: CHAOS_CATALOGUE,
        operatorId: MERCHANT_OPERATOR.operatorId,
        operatorBaseUrl: relayUrls['agent->mta'],
        operatorPublicKey: String(merchantSide.publicKey),
        mountPath: MOUNT_PATH,
        ...(databases === null
          ? { databasePath: './agent.sqlite' }
          : { store: { kind: 'postgres', url: databases.agent, poolSize: POOL_SIZE } }),
        merchantSecretKeyFile: './merchant.key',
        accessTokenSecretFile: './access-token.secret',
        recordRetryBase_ms: 100,
        recordRetryMax_ms: 1_000,
        recordCallTimeout_ms: 5_000,
        expiryCheckInterval_ms: 200,
        rateLimit: { customer: UNLIMITED, operator: UNLIMITED },
      },
      null,
      2,
    )}\n`,
    { mode: 0o600 },
  );

  return {
    dir,
    ports,
    configPaths: { 'op-se': String(customerSide.config), 'op-eu': String(merchantSide.config), agent: merchantConfig },
    stores: {
      'op-se': operatorStore(String(customerSide.config)),
      'op-eu': operatorStore(String(merchantSide.config)),
      agent:
        databases === null
          ? { kind: 'sqlite', path: merchantDatabasePath(merchantConfig) }
          : { kind: 'postgres', url: databases.agent },
    },
    adminTokens: { 'op-se': String(customerSide.adminToken), 'op-eu': String(merchantSide.adminToken) },
    merchantPublicKey: String(merchantKey.publicKey),
    logDir,
  };
}
