// The world every server-side case measures: a customer operator (SEK) and a merchant operator
// (EUR) provisioned exactly as `opentab-operator init` would, each started with
// `opentab-operator start` (with the baseline's extension, bench/baseline/) in its own process, and the merchant's server with a real merchant
// agent in a third. The benchmark process itself is only the customers and the billing systems.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { signerFromSecretKey } from '@opentab/protocol';
import type { OperatorCertificate } from '@opentab/protocol';
import { AdminClient } from '@opentab/operator-server';
import { loadConfigFile, type OperatorConfigInput } from '@opentab/operator-server';
import { findFreePort } from '@opentab/test-kit';
import { provisionOperatorWorld, type ProvisionedOperator } from '@opentab/test-kit/worlds';
import { TestCustomer } from '@opentab/test-kit/worlds';
import { BillingReceiver } from './billing-receiver';
import { BENCH_MERCHANT_CURRENCY, BENCH_MERCHANT_ID } from './catalogue';
import { ServerProcess } from './child-process';

export const CUSTOMER_OPERATOR = { operatorId: 'op-se', currency: 'SEK' } as const;
export const MERCHANT_OPERATOR = { operatorId: 'op-eu', currency: 'EUR' } as const;

const REPOSITORY = resolve(import.meta.dirname, '../..');
// `opentab-operator start` with the baseline's routes added: the tab_vs_fig1 case pays per
// purchase as well; the other cases never touch them.
const OPERATOR_PROCESS = join(REPOSITORY, 'bench/baseline/operator-process.ts');
/** `opentab-operator start` as shipped, for operators without the baseline's routes. */
const OPERATOR_CLI = join(REPOSITORY, 'operator-server/src/cli/main.ts');
const MERCHANT_PROCESS = join(REPOSITORY, 'bench/support/merchant-process.ts');

/** The background jobs (clearing due tabs, draining the outbox) look for work this often; 10 ms is the least
 * the configuration allows. */
const JOB_TICK_MS = 10;

export interface BenchOperator {
  readonly operatorId: string;
  readonly currency: string;
  readonly url: string;
  readonly publicKey: string;
  readonly databasePath: string;
  readonly admin: AdminClient;
}

export interface BenchMerchant {
  readonly merchantId: string;
  readonly currency: string;
  readonly origin: string;
  /** The agent the MTA calls; the first of `agentUrls`. */
  readonly agentUrl: string;
  /** One per agent process of the merchant, all on one store, as behind a load balancer. */
  readonly agentUrls: readonly string[];
  readonly publicKey: string;
  readonly databasePath: string;
}

/** Everything known once the files are written and before any server runs: what a store filler needs. */
export interface BenchLayout {
  readonly customerOperator: BenchOperator;
  readonly merchantOperator: BenchOperator;
  readonly merchant: BenchMerchant;
}

export interface BenchWorldOptions {
  readonly dir: string;
  /** Every server process writes a CPU profile here when it stops. */
  readonly cpuProfileDir?: string;
  /** Runs before the servers start, with their stores not yet open: the scaling case fills them here. */
  readonly beforeStart?: (layout: BenchLayout) => void | Promise<void>;
  /** The merchant agent's store: its SQLite file by default, or a PostgreSQL database shared by its processes. */
  readonly merchantStore?: { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };
  /** Agent processes of the merchant, each on its own port; more than one needs the PostgreSQL store. */
  readonly merchantProcesses?: number;
  /**
   * The operators' stores: each its SQLite file by default, or each a PostgreSQL database, whose
   * URL its processes get as OPENTAB_STORE_URL (with the configuration's default pool size).
   */
  readonly operatorStores?: { readonly customerOperatorUrl: string; readonly merchantOperatorUrl: string };
  /** Processes serving the customer operator, each on its own port; more than one needs PostgreSQL. */
  readonly customerOperatorProcesses?: 1 | 2;
  /**
   * Whether the operators serve the baseline's per-purchase routes too (the default). Its
   * extension works on the SQLite file directly, so operators on PostgreSQL run without it.
   */
  readonly baselineRoutes?: boolean;
}

export interface BenchWorld extends BenchLayout {
  readonly billing: BillingReceiver;
  /**
   * One per process of the customer operator, all on one store, as behind a load balancer; the
   * first is `customerOperator.url`, the one its certificate names and peers call.
   */
  readonly customerOperatorUrls: readonly string[];
  /** A customer of the SEK operator with this credit limit, enrolled and logged on. */
  newCustomer(creditLimit: string): Promise<TestCustomer>;
  /** CPU used so far by the server processes together, in ms; null where not measurable. */
  serverCpu_ms(): number | null;
  /** CPU used so far by the merchant's agent processes alone, in ms; null where not measurable. */
  merchantCpu_ms(): number | null;
  close(): Promise<void>;
}

function describeOperator(provisioned: ProvisionedOperator, port: number): BenchOperator {
  const config = loadConfigFile(provisioned.configPath, {});
  const certificate = JSON.parse(readFileSync(config.certificateFile, 'utf8')) as OperatorCertificate;
  const url = `http://127.0.0.1:${port}`;
  return {
    operatorId: provisioned.operatorId,
    currency: provisioned.currency,
    url,
    publicKey: certificate.payload.publicKey,
    databasePath: join(config.dataDir, 'operator.sqlite'),
    admin: new AdminClient(url, provisioned.adminToken),
  };
}

function totalCpu_ms(processes: readonly ServerProcess[]): number | null {
  const each = processes.map((server) => server.cpu_ms());
  return each.some((cpu) => cpu === null) ? null : each.reduce<number>((sum, cpu) => sum + cpu!, 0);
}

export async function startBenchWorld(options: BenchWorldOptions): Promise<BenchWorld> {
  const billingSecret = toBase64url(nodeCrypto.randomBytes(24));
  const billing = await BillingReceiver.start(billingSecret);
  const merchantProcesses = options.merchantProcesses ?? 1;
  if (merchantProcesses > 1 && options.merchantStore === undefined)
    throw new Error('several merchant agent processes share one store only on PostgreSQL');
  const baselineRoutes = options.baselineRoutes ?? true;
  if (baselineRoutes && options.operatorStores !== undefined)
    throw new Error("the baseline's routes need the operators' SQLite files: set baselineRoutes to false");
  const customerOperatorProcesses = options.customerOperatorProcesses ?? 1;
  if (customerOperatorProcesses > 1 && options.operatorStores === undefined)
    throw new Error('several customer operator processes share one store only on PostgreSQL');
  const [sePort, euPort] = [await findFreePort(), await findFreePort()];
  const moreSePorts: number[] = [];
  for (let i = 1; i < customerOperatorProcesses; i++) moreSePorts.push(await findFreePort());
  const shopPorts: number[] = [];
  for (let i = 0; i < merchantProcesses; i++) shopPorts.push(await findFreePort());
  const settings: Partial<OperatorConfigInput> = {
    log: 'info',
    tick_ms: JOB_TICK_MS,
    billingSinks: [{ kind: 'webhook', url: billing.url, secret: billingSecret }],
    // All 64 customers come from 127.0.0.1, so the per-address limit would be their sum and
    // throttle the measurement. The limiter stays in the path (its cost is measured) with limits
    // no run reaches; loopback is not exempted in the server, since behind a local reverse proxy
    // every real client would come from there too.
    rateLimit: {
      customer: { perClient_per_s: 1_000_000, burst: 1_000_000 },
      peer: { perClient_per_s: 1_000_000, burst: 1_000_000 },
    },
  };
  const [se, eu] = provisionOperatorWorld(
    options.dir,
    [CUSTOMER_OPERATOR, MERCHANT_OPERATOR],
    [sePort, euPort],
    settings,
    Date.now(),
  );
  const customerOperator = describeOperator(se!, sePort);
  const merchantOperator = describeOperator(eu!, euPort);
  const merchantSecretKey = nodeCrypto.ed25519.generateSecretKey();
  const origins = shopPorts.map((port) => `http://127.0.0.1:${port}`);
  const agentUrls = origins.map((origin) => `${origin}/opentab`);
  const merchant: BenchMerchant = {
    merchantId: BENCH_MERCHANT_ID,
    currency: BENCH_MERCHANT_CURRENCY,
    origin: origins[0]!,
    agentUrl: agentUrls[0]!,
    agentUrls,
    publicKey: signerFromSecretKey(nodeCrypto, merchantSecretKey).kid,
    databasePath: join(options.dir, 'merchant.sqlite'),
  };
  await options.beforeStart?.({ customerOperator, merchantOperator, merchant });

  const servers: ServerProcess[] = [];
  const merchantServers: ServerProcess[] = [];
  const profile = options.cpuProfileDir === undefined ? {} : { cpuProfileDir: options.cpuProfileDir };
  try {
    const stores = options.operatorStores;
    // One after another: the first process on a PostgreSQL store migrates it, the others find it migrated.
    const operatorProcesses = [
      {
        name: customerOperator.operatorId,
        url: customerOperator.url,
        provisioned: se!,
        storeUrl: stores?.customerOperatorUrl,
      },
      ...moreSePorts.map((port, index) => ({
        name: `${customerOperator.operatorId}-${index + 2}`,
        url: `http://127.0.0.1:${port}`,
        provisioned: se!,
        storeUrl: stores?.customerOperatorUrl,
        port,
      })),
      {
        name: merchantOperator.operatorId,
        url: merchantOperator.url,
        provisioned: eu!,
        storeUrl: stores?.merchantOperatorUrl,
      },
    ];
    for (const operatorProcess of operatorProcesses) {
      const env: Record<string, string> = {};
      if (operatorProcess.storeUrl !== undefined) env.OPENTAB_STORE_URL = operatorProcess.storeUrl;
      if ('port' in operatorProcess) env.OPENTAB_PORT = String(operatorProcess.port);
      servers.push(
        await ServerProcess.start({
          name: operatorProcess.name,
          ...(baselineRoutes
            ? { script: OPERATOR_PROCESS, args: [operatorProcess.provisioned.configPath] }
            : { script: OPERATOR_CLI, args: ['start', '--config', operatorProcess.provisioned.configPath] }),
          logFile: join(options.dir, `${operatorProcess.name}.log`),
          readyUrl: `${operatorProcess.url}/healthz`,
          ...profile,
          env,
        }),
      );
    }
    const merchantSecrets = {
      BENCH_OPERATOR_ID: merchantOperator.operatorId,
      BENCH_OPERATOR_URL: merchantOperator.url,
      BENCH_OPERATOR_PUBLIC_KEY: merchantOperator.publicKey,
      BENCH_MERCHANT_SECRET_KEY: toBase64url(merchantSecretKey),
      BENCH_ACCESS_TOKEN_SECRET: toBase64url(nodeCrypto.randomBytes(32)),
      ...(options.merchantStore === undefined
        ? { BENCH_DATABASE_PATH: merchant.databasePath }
        : {
            BENCH_STORE_URL: options.merchantStore.url,
            BENCH_STORE_POOL_SIZE: String(options.merchantStore.poolSize),
          }),
    };
    // One after another: the first migrates the store, the others find it migrated.
    for (const [index, port] of shopPorts.entries()) {
      const name = index === 0 ? 'merchant' : `merchant-${index + 1}`;
      merchantServers.push(
        await ServerProcess.start({
          name,
          script: MERCHANT_PROCESS,
          args: [],
          logFile: join(options.dir, `${name}.log`),
          readyUrl: `${agentUrls[index]}/info`,
          ...profile,
          env: { ...merchantSecrets, BENCH_PORT: String(port) },
        }),
      );
    }
    servers.push(...merchantServers);
    await merchantOperator.admin.call('registerMerchant', {
      merchantId: merchant.merchantId,
      displayName: 'Bench News',
      currency: merchant.currency,
      origins,
      agentUrl: merchant.agentUrl,
      publicKey: merchant.publicKey,
    });
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    await billing.close();
    throw error;
  }

  return {
    customerOperator,
    merchantOperator,
    merchant,
    billing,
    customerOperatorUrls: [customerOperator.url, ...moreSePorts.map((port) => `http://127.0.0.1:${port}`)],
    async newCustomer(creditLimit) {
      const admin = customerOperator.admin;
      const { accountId } = await admin.call('createCustomer', {
        creditLimit: { currency: CUSTOMER_OPERATOR.currency, value: creditLimit },
      });
      const { code } = await admin.call('enrollmentCode', {}, { accountId });
      return TestCustomer.enroll(customerOperator.url, code);
    },
    serverCpu_ms: () => totalCpu_ms(servers),
    merchantCpu_ms: () => totalCpu_ms(merchantServers),
    async close() {
      await Promise.all(servers.map((server) => server.stop()));
      await billing.close();
    },
  };
}
