// Child process: the merchant's server with a real merchant agent, as a shop would run it.
// Configured through the environment so the merchant's secrets never appear in a process list.

import { createServer } from 'node:http';
import { createMerchantAgent } from '@opentab/merchant-agent';
import { directOrderExtension } from '../baseline';
import { BENCH_CATALOGUE, BENCH_MERCHANT_CURRENCY, BENCH_MERCHANT_ID } from './catalogue';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

/** BENCH_STORE_URL (a PostgreSQL database shared by the merchant's processes) or BENCH_DATABASE_PATH. */
function storeFromEnvironment() {
  const url = process.env.BENCH_STORE_URL;
  if (url === undefined) return { databasePath: required('BENCH_DATABASE_PATH') };
  return { store: { kind: 'postgres', url, poolSize: Number(required('BENCH_STORE_POOL_SIZE')) } } as const;
}

async function main(): Promise<void> {
  const agent = await createMerchantAgent({
    merchantId: BENCH_MERCHANT_ID,
    displayName: 'Bench News',
    currency: BENCH_MERCHANT_CURRENCY,
    catalogue: BENCH_CATALOGUE,
    operatorId: required('BENCH_OPERATOR_ID'),
    operatorBaseUrl: required('BENCH_OPERATOR_URL'),
    operatorPublicKey: required('BENCH_OPERATOR_PUBLIC_KEY'),
    merchantSecretKey: required('BENCH_MERCHANT_SECRET_KEY'),
    accessTokenSecret: required('BENCH_ACCESS_TOKEN_SECRET'),
    ...storeFromEnvironment(),
    // Every bench customer comes from 127.0.0.1: limits no run reaches, the limiter still in the path.
    rateLimit: {
      customer: { perClient_per_s: 1_000_000, burst: 1_000_000 },
      operator: { perClient_per_s: 1_000_000, burst: 1_000_000 },
    },
    // The tab_vs_fig1 case orders per purchase as well; extensions keep their tables in SQLite.
    ...(process.env.BENCH_STORE_URL === undefined ? { extensions: [directOrderExtension()] } : {}),
    logger: { warn: (message, detail) => process.stderr.write(`merchant agent: ${message} ${String(detail ?? '')}\n`) },
  });
  const server = createServer((request, response) => {
    void agent.handle(request, response).then((handled) => {
      if (!handled) response.writeHead(404).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(Number(required('BENCH_PORT')), '127.0.0.1', resolve));
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void agent.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`merchant process failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
