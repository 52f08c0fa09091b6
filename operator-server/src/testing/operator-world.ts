// Starts a world of operators the way a real deployment runs them — a CA, key files, signed
// certificates, configuration files, SQLite data directories, real HTTP on 127.0.0.1 — for
// tests, benchmarks and the demo. Each operator trusts the others through the common CA.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCrypto } from '../../../protocol/crypto/node';
import { AdminClient } from '../admin/admin-client';
import { loadConfigFile, type OperatorConfigInput } from '../config/config';
import { startOperator, type RunningOperator } from '../operator';
import { generateKeyPair } from '../provisioning/keys';
import { writeOperatorFiles } from '../provisioning/operator-files';
import { findFreePort } from '../support/free-port';
import { createLogger, type LogLevel } from '../support/logger';

export interface WorldOperatorSpec {
  readonly operatorId: string;
  readonly currency: string;
}

export interface OperatorWorldOptions {
  readonly operators: readonly WorldOperatorSpec[];
  readonly dir?: string;
  /** Settings for every operator (tabs, rates, tick_ms…). */
  readonly settings?: Partial<OperatorConfigInput>;
  readonly log?: LogLevel;
  /** false: tests call `runJobs()` themselves instead of a timer. */
  readonly backgroundJobs?: boolean;
  readonly now_ms?: () => number;
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
}

export interface OperatorWorld {
  readonly dir: string;
  readonly caPublicKey: string;
  readonly operators: Readonly<Record<string, WorldOperator>>;
  operator(operatorId: string): WorldOperator;
  close(): Promise<void>;
}

export async function startOperatorWorld(options: OperatorWorldOptions): Promise<OperatorWorld> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'opentab-world-'));
  const ca = generateKeyPair(nodeCrypto);
  const host = '127.0.0.1';
  const ports = await Promise.all(options.operators.map(() => findFreePort(host)));
  const endpoints = options.operators.map((spec, i) => ({ operatorId: spec.operatorId, baseUrl: `http://${host}:${ports[i]}` }));

  const operators: Record<string, WorldOperator> = {};
  try {
    for (const [i, spec] of options.operators.entries()) {
      const operatorDir = join(dir, spec.operatorId);
      const files = writeOperatorFiles(nodeCrypto, {
        dir: operatorDir,
        operatorId: spec.operatorId,
        currency: spec.currency,
        host,
        port: ports[i]!,
        caSecretKey: ca.secretKey,
        caPublicKey: ca.publicKey,
        peers: endpoints.filter((endpoint) => endpoint.operatorId !== spec.operatorId),
        extra: { log: options.log ?? 'silent', ...options.settings },
      }, (options.now_ms ?? Date.now)());
      const config = loadConfigFile(files.configPath, {});
      const running = await startOperator(config, {
        backgroundJobs: options.backgroundJobs ?? true,
        log: createLogger(spec.operatorId, options.log ?? 'silent'),
        ...(options.now_ms !== undefined ? { now_ms: options.now_ms } : {}),
      });
      operators[spec.operatorId] = {
        ...spec,
        url: running.url,
        dir: operatorDir,
        configPath: files.configPath,
        billingFile: join(operatorDir, 'billing', 'records.jsonl'),
        admin: new AdminClient(running.url, files.adminToken),
        running,
      };
    }
  } catch (error) {
    await Promise.all(Object.values(operators).map((operator) => operator.running.close()));
    throw error;
  }

  return {
    dir,
    caPublicKey: ca.publicKey,
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
