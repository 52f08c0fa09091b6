// Command-line flags and environment variables of the demo shop server; a flag wins over its
// variable. Missing or malformed values end the program with the usage text, not a stack trace.

import { parseArgs } from 'node:util';
import type { DemoShopOptions } from './demo-shop';

const FLAGS = {
  port: { env: 'OPENTAB_SHOP_PORT', help: 'port to listen on (default 8090; 0 = any free port)' },
  host: { env: 'OPENTAB_SHOP_HOST', help: 'address to listen on (default 127.0.0.1)' },
  'public-origin': { env: 'OPENTAB_SHOP_PUBLIC_ORIGIN', help: 'origin customers use, if not http://host:port' },
  'data-dir': { env: 'OPENTAB_SHOP_DATA_DIR', help: 'database and merchant secrets (default ./data/demo-shop)' },
  'operator-url': { env: 'OPENTAB_OPERATOR_URL', help: "base URL of the merchant's operator (required)" },
  'operator-id': { env: 'OPENTAB_OPERATOR_ID', help: 'id of that operator (required)' },
  'operator-key': {
    env: 'OPENTAB_OPERATOR_PUBLIC_KEY',
    help: "the operator's Ed25519 public key, base64url (required)",
  },
  'merchant-id': { env: 'OPENTAB_MERCHANT_ID', help: 'merchant id (default demo-news)' },
  'merchant-key': {
    env: 'OPENTAB_MERCHANT_SECRET_KEY',
    help: 'merchant Ed25519 secret key, base64url (default: kept in the data dir)',
  },
  'access-token-secret': {
    env: 'OPENTAB_ACCESS_TOKEN_SECRET',
    help: 'HMAC secret of access tokens, base64url (default: kept in the data dir)',
  },
} as const;
type Flag = keyof typeof FLAGS;

export const USAGE = [
  'Usage: npx tsx merchant-widget/demo-shop/server.ts [options]',
  '',
  ...Object.entries(FLAGS).map(
    ([flag, { env, help }]) => `  --${flag.padEnd(20)} ${help}\n  ${''.padEnd(22)} env ${env}`,
  ),
].join('\n');

export type ParsedCli = { ok: true; options: DemoShopOptions } | { ok: false; problem: string };

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCli {
  let values: Partial<Record<Flag, string>>;
  try {
    const options = Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]));
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Partial<
      Record<Flag, string>
    >;
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
  const read = (flag: Flag): string | undefined => values[flag] ?? env[FLAGS[flag].env] ?? undefined;

  const missing = (['operator-url', 'operator-id', 'operator-key'] as const).filter((flag) => read(flag) === undefined);
  if (missing.length > 0) return { ok: false, problem: `missing ${missing.map((flag) => `--${flag}`).join(', ')}` };
  const port = Number(read('port') ?? '8090');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return { ok: false, problem: '--port must be 0-65535' };

  return {
    ok: true,
    options: {
      port,
      host: read('host'),
      publicOrigin: read('public-origin'),
      dataDir: read('data-dir') ?? 'data/demo-shop',
      operatorBaseUrl: read('operator-url')!,
      operatorId: read('operator-id')!,
      operatorPublicKey: read('operator-key')!,
      merchantId: read('merchant-id'),
      merchantSecretKey: read('merchant-key'),
      accessTokenSecret: read('access-token-secret'),
    },
  };
}
