// The demo world: two operators (SEK for customers, EUR for merchants, trusting each other
// through one CA), each on its own store (a SQLite file, or a PostgreSQL database), and the demo
// shop with its widget, all on 127.0.0.1. `npm start` runs it on fixed ports with data kept between starts; every
// end-to-end test runs its own on free ports in a fresh directory.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoShop, type DemoShop } from '@opentab/demo-shop';
import type { OperatorConfigInput } from '@opentab/operator-server';
import {
  provisionOperatorWorld,
  startProvisionedOperators,
  type ProvisionedOperator,
  type WorldOperator,
} from '@opentab/test-kit/worlds';
import { type OperatorStoreSettings, SAMPLE_RATE_SOURCE } from '@opentab/operator-server';
import { findFreePort } from '@opentab/test-kit';
import type { LogLevel } from '@opentab/operator-server';
import { type DemoDatabases, prepareDemoDatabases } from './demo-databases';

export const CUSTOMER_OPERATOR = { operatorId: 'op-se', currency: 'SEK' } as const;
export const MERCHANT_OPERATOR = { operatorId: 'op-eu', currency: 'EUR' } as const;
export const DEMO_CREDIT_LIMIT = '500.00';
/**
 * The demo quotes the ECB's rates of 28 June 2024 on any day. A real operator refuses rates that
 * old; the demo's operators are told to serve them as sample rates, and every table says so.
 */
export const DEMO_RATES = { rateSource: SAMPLE_RATE_SOURCE } as const;

export interface DemoWorldOptions {
  readonly dir: string;
  /** Start from nothing: remove whatever an earlier start left in `dir` (and in the PostgreSQL databases). */
  readonly reset?: boolean;
  /**
   * A PostgreSQL server (postgres://user@host:port/db) to keep the operators' and the merchant
   * agent's state on, a database each (demo-databases.ts), instead of SQLite files in `dir`.
   */
  readonly postgresUrl?: string;
  /** Fixed ports for [customer operator, merchant operator, shop]; free ports when absent. */
  readonly ports?: readonly [number, number, number];
  readonly log?: LogLevel;
  /** Operator settings for a fresh world (rate-table lifespan, grace periods…). */
  readonly settings?: Partial<OperatorConfigInput>;
  /** Merchant-agent overrides (e.g. a faster expiry check for timeout tests). */
  readonly shopOverrides?: Parameters<typeof startDemoShop>[0]['agentOverrides'];
  /** For tests: the first this-many downloads of a delivered product's ciphertext arrive damaged. */
  readonly damageDeliveries?: number;
  /** Further products of given sizes sold by secure delivery (benchmarks). */
  readonly sizedDeliveries?: Parameters<typeof startDemoShop>[0]['sizedDeliveries'];
}

export interface DemoCustomer {
  readonly accountId: string;
  /** A fresh one-time code, or null when a wallet already enrolled for this account. */
  readonly enrollmentCode: string | null;
  readonly codeExpiresAt: string | null;
}

export interface DemoWorld {
  readonly dir: string;
  /** The PostgreSQL databases the world keeps its state in; null when it keeps SQLite files in `dir`. */
  readonly databases: DemoDatabases | null;
  readonly customerOperator: WorldOperator;
  readonly merchantOperator: WorldOperator;
  readonly shop: DemoShop;
  readonly customer: DemoCustomer;
  /** True when this start found an earlier world's data and reused it. */
  readonly reused: boolean;
  /** The console login on both operators, besides their admin tokens. */
  readonly staff: { readonly name: string; readonly password: string };
  /** Stops the shop and starts it again on the same port and data: a merchant restart. */
  restartShop(): Promise<DemoShop>;
  /** Stops the shop (its pages and its merchant agent): connections to its port are refused until startShop(). */
  stopShop(): Promise<void>;
  /** Starts the stopped shop again on the same port and data. */
  startShop(): Promise<DemoShop>;
  close(): Promise<void>;
}

interface WorldFile {
  readonly operators: ProvisionedOperator[];
  readonly shopPort: number;
  readonly accountId: string;
  /**
   * The demo's console login on both operators, kept so that every start can print it: a real
   * operator never keeps a password, only its scrypt hash.
   */
  readonly staffPassword?: string;
}

/** The console login `npm start` prints: a staff account on both operators. */
export const DEMO_STAFF_NAME = 'demo';

const WORLD_FILE = 'world.json';
/** Connections per process: a demo's traffic is one person's. */
const DEMO_POOL_SIZE = 4;

/**
 * A world made before the demo named its rate source left its operators to the default, the ECB
 * over HTTP: give them the demo's sample rates, as a world made now has.
 */
function nameDemoRates(configPath: string): void {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { rates?: { rateSource?: unknown } };
  if (config.rates?.rateSource !== undefined) return;
  writeFileSync(configPath, `${JSON.stringify({ ...config, rates: { ...config.rates, ...DEMO_RATES } }, null, 2)}\n`, {
    mode: 0o600,
  });
}

async function provision(options: DemoWorldOptions): Promise<WorldFile> {
  const [sePort, euPort, shopPort] = options.ports ?? [
    await findFreePort(),
    await findFreePort(),
    await findFreePort(),
  ];
  const operators = provisionOperatorWorld(
    options.dir,
    [CUSTOMER_OPERATOR, MERCHANT_OPERATOR],
    [sePort, euPort],
    { log: 'info', ...options.settings, rates: { ...DEMO_RATES, ...options.settings?.rates } },
    Date.now(),
  );
  return { operators, shopPort, accountId: '' };
}

export async function startDemoWorld(options: DemoWorldOptions): Promise<DemoWorld> {
  if (options.reset === true) rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  const worldPath = join(options.dir, WORLD_FILE);
  const reused = existsSync(worldPath);
  let world: WorldFile = reused ? (JSON.parse(readFileSync(worldPath, 'utf8')) as WorldFile) : await provision(options);
  if (reused) for (const operator of world.operators) nameDemoRates(operator.configPath);
  // A world made afresh starts from empty databases too: what an earlier world left names other keys.
  const databases =
    options.postgresUrl === undefined
      ? null
      : await prepareDemoDatabases(
          options.postgresUrl,
          world.operators.map((operator) => operator.operatorId),
          options.reset === true || !reused,
        );
  const stores: Record<string, OperatorStoreSettings> = Object.fromEntries(
    Object.entries(databases?.operators ?? {}).map(([operatorId, url]) => [
      operatorId,
      { kind: 'postgres', url, poolSize: DEMO_POOL_SIZE },
    ]),
  );

  const operators = await startProvisionedOperators(world.operators, { log: options.log ?? 'info', stores });
  const customerOperator = operators[CUSTOMER_OPERATOR.operatorId]!;
  const merchantOperator = operators[MERCHANT_OPERATOR.operatorId]!;
  const shopOptions = {
    operatorId: merchantOperator.operatorId,
    operatorBaseUrl: merchantOperator.url,
    operatorPublicKey: merchantOperator.running.context.identity.signer.kid,
    dataDir: join(options.dir, 'shop'),
    ...(databases !== null
      ? { store: { kind: 'postgres', url: databases.shop, poolSize: DEMO_POOL_SIZE } as const }
      : {}),
    port: world.shopPort,
    ...(options.shopOverrides !== undefined ? { agentOverrides: options.shopOverrides } : {}),
    ...(options.damageDeliveries !== undefined ? { damageDeliveries: options.damageDeliveries } : {}),
    ...(options.sizedDeliveries !== undefined ? { sizedDeliveries: options.sizedDeliveries } : {}),
  };
  let shop: DemoShop;
  try {
    shop = await startDemoShop(shopOptions);
    await merchantOperator.admin.call('registerMerchant', { ...shop.merchant, origins: [...shop.merchant.origins] });
    if (world.accountId === '') {
      const created = await customerOperator.admin.call('createCustomer', {
        displayName: 'Demo customer',
        creditLimit: { currency: 'SEK', value: DEMO_CREDIT_LIMIT },
      });
      world = { ...world, accountId: created.accountId };
      writeFileSync(worldPath, `${JSON.stringify(world, null, 2)}\n`);
    }
    if (world.staffPassword === undefined) {
      // Kept before the accounts are made: a start stopped halfway makes them with the same password.
      world = { ...world, staffPassword: randomBytes(12).toString('base64url') };
      writeFileSync(worldPath, `${JSON.stringify(world, null, 2)}\n`, { mode: 0o600 });
    }
    for (const operator of [customerOperator, merchantOperator])
      if (!(await operator.admin.call('listStaff', undefined)).some((staff) => staff.name === DEMO_STAFF_NAME))
        await operator.admin.call('createStaff', { name: DEMO_STAFF_NAME, password: world.staffPassword! });
  } catch (error) {
    await Promise.all(Object.values(operators).map((operator) => operator.running.close()));
    throw error;
  }
  // A fresh code at every start until a wallet has enrolled: the earlier one may have expired.
  const enrolled =
    (await customerOperator.running.context.storage.customers.customer(world.accountId))?.publicKey != null;
  const code = enrolled
    ? null
    : await customerOperator.admin.call('enrollmentCode', {}, { accountId: world.accountId });

  return {
    dir: options.dir,
    databases,
    customerOperator,
    merchantOperator,
    get shop() {
      return shop;
    },
    customer: {
      accountId: world.accountId,
      enrollmentCode: code?.code ?? null,
      codeExpiresAt: code?.expiresAt ?? null,
    },
    reused,
    staff: { name: DEMO_STAFF_NAME, password: world.staffPassword! },
    async restartShop() {
      await shop.close();
      shop = await startDemoShop(shopOptions);
      return shop;
    },
    stopShop: () => shop.close(),
    async startShop() {
      shop = await startDemoShop(shopOptions);
      return shop;
    },
    async close() {
      await shop.close();
      await Promise.all(Object.values(operators).map((operator) => operator.running.close()));
    },
  };
}
