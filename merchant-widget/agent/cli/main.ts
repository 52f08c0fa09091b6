// opentab-merchant: the merchant agent as a process of its own, for a merchant whose site is not
// a Node server (it proxies the agent's mount path to this process) and for crash tests.
//   npm run merchant -- <command> [options]       (npm run merchant -- help)

import { parseCommandArgs } from '@opentab/server-kit';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeChecks, nodeCrypto } from '@opentab/server-kit';
import { fromBase64urlOfLength, signerFromSecretKey } from '@opentab/protocol';
import { createMerchantAgent } from '../agent';
import { auditMerchantAgentStore } from '../audit/agent-audit';
import { MerchantAgentConfigError } from '../config';
import { prepareProducts, ProductPreparationError } from '../delivery/product-preparation';
import { AdminCommandError, runAdminCommand } from './admin-commands';
import { loadMerchantConfigFile, MerchantConfigFileError, merchantStoreSettings } from './config-file';

const USAGE = `opentab-merchant <command> [options]

  start   --config FILE     serve the merchant agent under its mount path (default /opentab)
  audit   --config FILE [--settle-s 300] [--json]
                            check the agent's store (its SQLite file or PostgreSQL database) read-only,
                            also beside the running agents:
                            tab totals and chain proofs, tabs and records settled, every cleared tab
                            credited what its receipts add up to; exits 1 when one is broken
  prepare-products FOLDER --config FILE [--chunk-kib 64]
                            encrypt and sign the products of FOLDER ahead of time for secure
                            delivery: reads FOLDER/products.json ([{productId, name, summary, file,
                            mediaType, price}]), writes FOLDER/prepared/ (point delivery.productsDirectory
                            of the agent's configuration at FOLDER)

  The merchant's admin API of a running agent (--agent: its mount URL, e.g. https://shop.example/opentab;
  the token of one of its adminLogins in OPENTAB_MERCHANT_ADMIN_TOKEN):
  sales   --agent URL [--from T] [--until T] [--bucket day|hour]
                            sales per item and per day or hour (RFC 3339 times; default the last 30 days)
  refund  --agent URL --tab TAB [--purchase SEQ]... --reason TEXT [--refund-id ID]
                            refund purchases of a tab (none named: all not refunded yet); a retry with
                            the printed refundId counts once
  refunds --agent URL       every refund and where it stands with the MTA
  disputes --agent URL      disputed tabs: what was claimed, what was paid, and the operator's decision
                            with its reason once it decided
  catalogue --agent URL     the catalogue as it is sold now
  catalogue-set --agent URL --item ID --title TEXT --price P [--kind entitlement|consumable] [--access-s N]
                            add or change an item at once; a new price applies to new purchases
  export  --agent URL [--from T] [--until T]
                            the purchases of the period as CSV on stdout

The configuration file is JSON: "listen": {"host", "port"}, "databasePath" (or "store": {"kind":
"postgres", "url", "poolSize"}, which several processes of one merchant may share), "merchantSecretKeyFile",
"accessTokenSecretFile" (paths relative to the file; or OPENTAB_MERCHANT_SECRET_KEY and
OPENTAB_ACCESS_TOKEN_SECRET), and the options of MerchantAgentConfig (merchant-widget/agent/config.ts).
`;

function fail(message: string): never {
  process.stderr.write(`opentab-merchant: ${message}\n`);
  process.exit(2);
}

function line(event: string, fields: Record<string, string | number>): string {
  return `${new Date().toISOString()} ${event} ${Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')}\n`.replace(/ \n$/, '\n');
}

async function start(configPath: string): Promise<void> {
  const { listen, agent: settings } = loadMerchantConfigFile(configPath);
  const agent = await createMerchantAgent({
    ...settings,
    logger: {
      warn: (message, detail) =>
        process.stderr.write(
          line('merchant.warning', { message: JSON.stringify(message), detail: JSON.stringify(String(detail ?? '')) }),
        ),
    },
  });
  const server = createServer((request, response) => {
    void agent.handle(request, response).then((handled) => {
      if (!handled) response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const url = `http://${listen.host}:${(server.address() as AddressInfo).port}${agent.mountPath}`;
  process.stdout.write(line('merchant.started', { merchant: agent.merchantId, url }));
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void agent.close().then(() => {
      process.stdout.write(line('merchant.stopped', { merchant: agent.merchantId }));
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function prepare(folder: string, configPath: string, chunkKib: string): Promise<void> {
  const { agent: settings } = loadMerchantConfigFile(configPath);
  const chunk_kib = Number(chunkKib);
  if (!Number.isSafeInteger(chunk_kib) || chunk_kib < 1 || chunk_kib > 1024) fail('--chunk-kib must be 1 to 1024');
  const signer = signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(settings.merchantSecretKey, 32));
  const descriptions = await prepareProducts(
    nodeCrypto,
    folder,
    { merchantId: settings.merchantId, signer },
    chunk_kib * 1024,
  );
  for (const { payload } of descriptions)
    process.stdout.write(
      line('product.prepared', {
        product: payload.productId,
        size_bytes: payload.size_bytes,
        encrypted_bytes: payload.encryptedSize_bytes,
        sha256: payload.ciphertextHash,
      }),
    );
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseCommandArgs({
    args: rest,
    options: {
      config: { type: 'string' },
      'settle-s': { type: 'string' },
      json: { type: 'boolean' },
      'chunk-kib': { type: 'string' },
      agent: { type: 'string' },
      from: { type: 'string' },
      until: { type: 'string' },
      bucket: { type: 'string' },
      tab: { type: 'string' },
      purchase: { type: 'string', multiple: true },
      reason: { type: 'string' },
      'refund-id': { type: 'string' },
      item: { type: 'string' },
      title: { type: 'string' },
      price: { type: 'string' },
      kind: { type: 'string' },
      'access-s': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  switch (command) {
    case 'prepare-products':
      return prepare(
        positionals[0] ?? fail('name the product folder (see: npm run merchant -- help)'),
        values.config ?? fail('--config is required (see: npm run merchant -- help)'),
        values['chunk-kib'] ?? '64',
      );
    case 'start':
      return start(values.config ?? fail('--config is required (see: npm run merchant -- help)'));
    case 'audit': {
      const settle_s = Number(values['settle-s'] ?? '300');
      if (!Number.isSafeInteger(settle_s) || settle_s < 0) fail('--settle-s must be a whole number of seconds');
      const audit = await auditMerchantAgentStore(
        merchantStoreSettings(values.config ?? fail('--config is required')),
        {
          now_ms: Date.now(),
          settle_ms: settle_s * 1000,
        },
      );
      process.stdout.write(
        values.json === true
          ? `${JSON.stringify(audit, null, 2)}\n`
          : describeChecks(`audit of the merchant agent (${audit.databasePath})`, audit.results),
      );
      if (!audit.ok) process.exitCode = 1;
      return;
    }
    case 'sales':
    case 'refund':
    case 'refunds':
    case 'disputes':
    case 'catalogue':
    case 'catalogue-set':
    case 'export':
      process.stdout.write(await runAdminCommand(command, values));
      return;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return;
    default:
      fail(`unknown command ${command}\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (
    error instanceof MerchantConfigFileError ||
    error instanceof MerchantAgentConfigError ||
    error instanceof ProductPreparationError ||
    error instanceof AdminCommandError
  )
    fail(error.message);
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
