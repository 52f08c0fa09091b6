// Starts a world of operators the way a real deployment runs them — a CA, key files, signed
// certificates, configuration files, data directories, real HTTP on 127.0.0.1 — for tests,
// benchmarks and the demo. Each operator trusts the others through the common CA. Each keeps its
// state in the SQLite file of its directory or, when OPENTAB_OPERATOR_STORE=postgres (the vitest
// project `postgres`), in a fresh database on the run's PostgreSQL cluster: one suite, run once per store.

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock, type OperatorCertificate } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { createNodeHttpTransport } from '@opentab/server-kit';
import { AdminClient } from '@opentab/operator-server';
import { loadConfigFile, type OperatorConfigInput, type OperatorStoreSettings } from '@opentab/operator-server';
import type { OperatorExtension } from '@opentab/operator-server/extension';
import { startOperator, type RunningOperator } from '@opentab/operator-server';
import { generateKeyPair, readKeyPair, signOperatorCertificate, writeSecretKey } from '@opentab/operator-server';
import { writeOperatorFiles } from '@opentab/operator-server';
import { SAMPLE_RATE_SOURCE } from '@opentab/operator-server';
import { findFreePort } from '../free-port';
import { freshPostgresStore, storeKindUnderTest } from '../store-under-test';
import { createLogger, type LogLevel } from '@opentab/operator-server';

export interface WorldOperatorSpec {
  readonly operatorId: string;
  readonly currency: string;
}

/** Every operator of the world serves https with this certificate (for 127.0.0.1), and trusts the CA that signed it. */
export interface WorldTls {
  readonly certificateFile: string;
  readonly keyFile: string;
  readonly caCertificateFile: string;
}

export interface OperatorWorldOptions {
  readonly operators: readonly WorldOperatorSpec[];
  /** https between everyone; default plain http on loopback. */
  readonly tls?: WorldTls;
  readonly dir?: string;
  /** Settings for every operator (tabs, rates, tick_ms…). */
  readonly settings?: Partial<OperatorConfigInput>;
  readonly log?: LogLevel;
  /** Where log lines go (stdout unless given): tests read what an operator said. */
  readonly writeLog?: (line: string) => void;
  /** false: tests call `runJobs()` themselves instead of a timer. */
  readonly backgroundJobs?: boolean;
  /** The clock of every operator of the world (default: the system's). */
  readonly clock?: Clock;
  /** Added to every operator of the world (see @opentab/operator-server/extension). */
  readonly extensions?: readonly OperatorExtension[];
  /**
   * The store of each operator named here, by operator id; otherwise the SQLite file in its directory,
   * or a fresh PostgreSQL database in the postgres run (see `operatorStoreKindUnderTest`).
   */
  readonly stores?: Readonly<Record<string, OperatorStoreSettings>>;
}

export interface WorldOperator {
  readonly operatorId: string;
  readonly currency: string;
  readonly url: string;
  readonly dir: string;
  readonly configPath: string;
  readonly billingFile: string;
  readonly admin: AdminClient;
  readonly running: RunningOperator;
  /** Where it keeps its state; a restart on the same directory passes it on to the successor. */
  readonly store: OperatorStoreSettings;
}

export interface OperatorWorld {
  readonly dir: string;
  readonly operators: Readonly<Record<string, WorldOperator>>;
  operator(operatorId: string): WorldOperator;
  close(): Promise<void>;
}

/** Files of one operator of a world, as written by provisioning and read back on a restart. */
export interface ProvisionedOperator extends WorldOperatorSpec {
  readonly dir: string;
  readonly configPath: string;
  readonly adminToken: string;
}

/**
 * A CA and one configured operator directory per spec, all peers of each other, on the given ports.
 * Unless `settings` name another rate source, they serve the sample ECB rates, labelled as samples:
 * a world made here must work on any day without reaching the ECB.
 */
export function provisionOperatorWorld(
  dir: string,
  specs: readonly WorldOperatorSpec[],
  ports: readonly number[],
  settings: Partial<OperatorConfigInput>,
  now_ms: number,
  tls?: WorldTls,
): ProvisionedOperator[] {
  const withRates = { ...settings, rates: { rateSource: SAMPLE_RATE_SOURCE, ...settings.rates } };
  const ca = generateKeyPair(nodeCrypto);
  // Where `opentab-operator ca-init --dir <dir>/ca` keeps it: a test certifies a rotated key with it.
  mkdirSync(join(dir, 'ca'), { recursive: true });
  writeSecretKey(join(dir, 'ca', 'ca.key'), ca.secretKey);
  const host = '127.0.0.1';
  const scheme = tls === undefined ? 'http' : 'https';
  const endpoints = specs.map((spec, i) => ({
    operatorId: spec.operatorId,
    baseUrl: `${scheme}://${host}:${ports[i]}`,
  }));
  const transportSettings: Partial<OperatorConfigInput> =
    tls === undefined
      ? {}
      : {
          tls: { certificateFile: tls.certificateFile, keyFile: tls.keyFile },
          trustedCaFiles: [tls.caCertificateFile],
        };
  return specs.map((spec, i) => {
    const operatorDir = join(dir, spec.operatorId);
    const files = writeOperatorFiles(
      nodeCrypto,
      {
        dir: operatorDir,
        operatorId: spec.operatorId,
        currency: spec.currency,
        host,
        port: ports[i]!,
        publicUrl: endpoints[i]!.baseUrl,
        caSecretKey: ca.secretKey,
        caPublicKey: ca.publicKey,
        peers: endpoints.filter((endpoint) => endpoint.operatorId !== spec.operatorId),
        extra: { ...transportSettings, ...withRates },
      },
      now_ms,
    );
    return { ...spec, dir: operatorDir, configPath: files.configPath, adminToken: files.adminToken };
  });
}

export type OperatorStoreKind = OperatorStoreSettings['kind'];

/** The store the operators of this run's worlds use unless a test names one. */
export function operatorStoreKindUnderTest(): OperatorStoreKind {
  return storeKindUnderTest('OPENTAB_OPERATOR_STORE');
}

/**
 * The store of an operator under test: the one its configuration file names (the SQLite file of its
 * directory), or a new PostgreSQL database for the postgres run. Extensions work on the SQLite file
 * only, so an operator with extensions stays on SQLite.
 */
export async function operatorStoreUnderTest(
  configured: OperatorStoreSettings,
  options: { readonly extensions?: readonly unknown[] } = {},
): Promise<OperatorStoreSettings> {
  if (operatorStoreKindUnderTest() === 'sqlite' || (options.extensions ?? []).length > 0) return configured;
  return freshPostgresStore('op');
}

/** Starts provisioned operators from their configuration files, as `opentab-operator start` would. */
export async function startProvisionedOperators(
  provisioned: readonly ProvisionedOperator[],
  options: {
    log?: LogLevel;
    writeLog?: (line: string) => void;
    backgroundJobs?: boolean;
    clock?: Clock;
    extensions?: readonly OperatorExtension[];
    /**
     * The store of each operator named here, instead of the one its configuration file names (or,
     * in the postgres run, a fresh database).
     */
    stores?: Readonly<Record<string, OperatorStoreSettings>>;
  } = {},
): Promise<Record<string, WorldOperator>> {
  const operators: Record<string, WorldOperator> = {};
  try {
    for (const spec of provisioned) {
      const configured = loadConfigFile(spec.configPath, {});
      const store = options.stores?.[spec.operatorId] ?? (await operatorStoreUnderTest(configured.store, options));
      const config = { ...configured, store };
      const running = await startOperator(config, {
        backgroundJobs: options.backgroundJobs ?? true,
        log: createLogger(spec.operatorId, options.log ?? config.log, options.writeLog),
        ...(options.clock !== undefined ? { clock: options.clock } : {}),
        ...(options.extensions !== undefined ? { extensions: options.extensions } : {}),
      });
      operators[spec.operatorId] = {
        operatorId: spec.operatorId,
        currency: spec.currency,
        url: running.url,
        dir: spec.dir,
        configPath: spec.configPath,
        billingFile: join(spec.dir, 'billing', 'records.jsonl'),
        admin: new AdminClient(
          running.url,
          spec.adminToken,
          config.trustedCaCertificates.length > 0
            ? createNodeHttpTransport({ trustedCaCertificates: config.trustedCaCertificates })
            : undefined,
        ),
        running,
        store,
      };
    }
  } catch (error) {
    await Promise.all(Object.values(operators).map((operator) => operator.running.close()));
    throw error;
  }
  return operators;
}

export async function startOperatorWorld(options: OperatorWorldOptions): Promise<OperatorWorld> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'opentab-world-'));
  const ports = await Promise.all(options.operators.map(() => findFreePort()));
  const provisioned = provisionOperatorWorld(
    dir,
    options.operators,
    ports,
    { log: options.log ?? 'silent', ...options.settings },
    (options.clock ?? systemClock).now_ms(),
    options.tls,
  );
  const operators = await startProvisionedOperators(provisioned, options);
  return {
    dir,
    operators,
    operator(operatorId) {
      const operator = operators[operatorId];
      if (operator === undefined) throw new Error(`no operator ${operatorId} in this world`);
      return operator;
    },
    async close() {
      await Promise.all(Object.values(operators).map((operator) => operator.running.close()));
    },
  };
}

/**
 * What a world's CA does out of band in a key rotation: certifies the key an operator prepared
 * for the year to come, as `opentab-operator ca-sign` would.
 */
export function certifyWithWorldCa(
  worldDir: string,
  prepared: {
    readonly operatorId: string;
    readonly publicKey: string;
    readonly baseUrl: string;
    readonly currencies: readonly string[];
  },
  now_ms: number,
): OperatorCertificate {
  const ca = readKeyPair(nodeCrypto, join(worldDir, 'ca', 'ca.key'));
  return signOperatorCertificate(nodeCrypto, ca.secretKey, { ...prepared, validFor_days: 365 }, now_ms);
}

/** A certificate signed by any CA key, such as one a forger made up. */
export function certifyWithCa(
  caSecretKey: string,
  prepared: Parameters<typeof certifyWithWorldCa>[1],
  now_ms: number,
): OperatorCertificate {
  return signOperatorCertificate(nodeCrypto, caSecretKey, { ...prepared, validFor_days: 365 }, now_ms);
}

/** The secret key an operator of the world was started with (before any rotation), base64url. */
export function configuredSecretKey(operator: { readonly configPath: string }): string {
  return loadConfigFile(operator.configPath, {}).secretKey;
}
