// opentab-operator: everything an operator's staff need from a shell.
//   npm run operator -- <command> [options]       (npm run operator -- help)

import { parseCommandArgs } from '@opentab/server-kit';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { nodeCrypto } from '@opentab/server-kit';
import { createNodeHttpTransport } from '@opentab/server-kit';
import { parseTimestamp } from '@opentab/protocol';
import { AdminClient } from '../admin/admin-client';
import { ADMIN_API } from '../http/admin-api';
import { ARBITER_USAGE, ArbiterError, arbiterCommand } from './arbiter';
import { describeChecks } from '@opentab/server-kit';
import { auditOperatorStore } from '../audit/operator-audit';
import { ConfigError, loadConfigFile } from '../config/config';
import { Ledger, openDatabase } from '../ledger';
import { serveOperator } from '../serve';
import { signOperatorCertificate } from '../provisioning/certificate-authority';
import { generateKeyPair, readKeyPair, writeSecretKey } from '../provisioning/keys';
import { writeOperatorFiles } from '../provisioning/operator-files';
import { settlementStatement } from '../settlement/statement';
import { Outbox } from '../outbox/outbox';
import { OperatorStore } from '../store/operator-store';
import { SqliteOperatorStorage } from '../store/sqlite-operator-storage';

const USAGE = `opentab-operator <command> [options]

  ca-init        --dir DIR                              make a CA key pair (ca.key, ca.pub)
  ca-sign        --ca DIR --operator-id ID --public-key KEY --base-url URL --currency CUR
                 [--valid-days 365] --out FILE          sign an operator certificate
  keygen         --out FILE                             make an Ed25519 key; prints the public key
  init           --dir DIR --operator-id ID --currency CUR --port PORT --ca DIR
                 [--host 127.0.0.1] [--public-url URL] [--peer ID=URL ...]
                 [--tls-certificate FILE --tls-key FILE] [--trusted-ca FILE ...]
                                                        key, CA-signed certificate and operator.json
                                                        (--public-url: https, unless on loopback;
                                                        --tls-*: serve https with these PEM files)
  start          --config FILE                          run the operator (AM + MTA)
  customer-create --config FILE --credit-limit AMOUNT [--name NAME]
  enrollment-code --config FILE --account ACCOUNT_ID
  merchant-register --config FILE --merchant-id ID --name NAME --currency CUR
                 --origin URL [--origin URL ...] --agent-url URL --public-key KEY
  customers      --config FILE [--text TEXT] [--status active|suspended|closed]   find accounts
  customer-status --config FILE --account ACCOUNT_ID --status active|suspended|closed --reason TEXT
                                                        suspend (no new tabs), resume, or close (final) an account
  credit-limit   --config FILE --account ACCOUNT_ID --credit-limit AMOUNT
  merchants      --config FILE                          every merchant with status and balance
  merchant-status --config FILE --merchant-id ID --status active|suspended --reason TEXT
  merchant-revoke --config FILE --merchant-id ID --reason TEXT
                                                        revoke a merchant for good (no new tabs; its tabs in flight clear)
  peers          --config FILE                          the peer operators and any revocation of each
  peer-revoke    --config FILE --peer ID --reason TEXT  revoke a peer operator for good (no new tabs between
                                                        the two; records and clearings of tabs in flight still flow)
  revocations    --config FILE                          every revocation in force
  staff-create   --config FILE --name NAME [--role owner|staff]
                                                        a console login (staff unless named; an owner manages
                                                        the other logins); reads its password (12+ characters)
                                                        from the first line of standard input
  staff          --config FILE                          the staff logins, disabled and locked ones too
  staff-disable  --config FILE --name NAME              disable a login; its sessions end at once
  staff-enable   --config FILE --name NAME              let a disabled login log in again
  staff-unlock   --config FILE --name NAME              end the lock that failed log-ins put on a login
  staff-actions  --config FILE                          the latest changes, each with who made it
  keys           --config FILE                          current key, prepared keys, rotations, peers' retired keys
  key-prepare    --config FILE                          make a successor key; prints what ca-sign must certify
  key-rotate     --config FILE --certificate FILE --overlap-s SECONDS
                                                        sign with the certified successor from now on; peers
                                                        refuse the old key after the overlap
  disputes       --config FILE                          recent disputes and their decisions
  dispute-resolve --config FILE --dispute ID --decision uphold|adjust [--cleared AMOUNT] --reason TEXT
                                                        decide a dispute (adjust: what the tab clears in total)
  tab-story      --config FILE --tab TAB_ID             a tab's whole story
  outbox         --config FILE [--state failing|pending]   messages not delivered yet
  outbox-retry   --config FILE [--record ID ...]        try them at the next pass (default: every failed one)
  settlement     --config FILE --peer ID [--from ISO] [--until ISO]   net statement (reads the data directory)
  api            --config FILE --route NAME [--param K=V ...] [--query K=V ...] [--body JSON]
                                                        any admin route by its name in /openapi.json
                                                        (figures, figureHistory, searchTabs, ledger, …)
  audit          --config FILE [--settle-s 300] [--json]  check every invariant of the operator's store, read-only
                 (also beside the running server); exits 1 when one is broken
${ARBITER_USAGE}`;

function fail(message: string): never {
  process.stderr.write(`opentab-operator: ${message}\n`);
  process.exit(2);
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') fail(`--${name} is required (see: npm run operator -- help)`);
  return value;
}

/** The admin API at the operator's listen address; over TLS its certificate must name the public host. */
function adminOf(configPath: string): AdminClient {
  const config = loadConfigFile(configPath);
  const host = config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host;
  if (config.tls === undefined) return new AdminClient(`http://${host}:${config.listen.port}`, config.adminToken);
  const transport = createNodeHttpTransport({
    trustedCaCertificates: config.trustedCaCertificates,
    serverName: new URL(config.publicUrl).hostname,
  });
  return new AdminClient(`https://${host}:${config.listen.port}`, config.adminToken, transport);
}

function oneOf<const T extends readonly string[]>(value: string, allowed: T, name: string): T[number] {
  if (!allowed.includes(value)) fail(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T[number];
}

/** The options given, for a query string. */
function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** A secret typed or piped in, never on the command line where `ps` and shell history would keep it. */
async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0] ?? '';
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const OPTIONS = {
  dir: { type: 'string' },
  ca: { type: 'string' },
  out: { type: 'string' },
  config: { type: 'string' },
  'operator-id': { type: 'string' },
  'public-key': { type: 'string' },
  'base-url': { type: 'string' },
  currency: { type: 'string' },
  'valid-days': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  peer: { type: 'string', multiple: true },
  'credit-limit': { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  account: { type: 'string' },
  'merchant-id': { type: 'string' },
  origin: { type: 'string', multiple: true },
  'agent-url': { type: 'string' },
  from: { type: 'string' },
  until: { type: 'string' },
  'settle-s': { type: 'string' },
  json: { type: 'boolean' },
  'public-url': { type: 'string' },
  'tls-certificate': { type: 'string' },
  'tls-key': { type: 'string' },
  'trusted-ca': { type: 'string', multiple: true },
  text: { type: 'string' },
  status: { type: 'string' },
  reason: { type: 'string' },
  dispute: { type: 'string' },
  decision: { type: 'string' },
  cleared: { type: 'string' },
  tab: { type: 'string' },
  state: { type: 'string' },
  record: { type: 'string', multiple: true },
  certificate: { type: 'string' },
  'overlap-s': { type: 'string' },
  route: { type: 'string' },
  param: { type: 'string', multiple: true },
  query: { type: 'string', multiple: true },
  body: { type: 'string' },
} as const;

/** `K=V` options as a record; a value may itself hold '='. */
function pairs(given: readonly string[] | undefined, name: string): Record<string, string> {
  const entries = (given ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) fail(`--${name} takes NAME=VALUE, not ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)] as const;
  });
  return Object.fromEntries(entries);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'arbiter') {
    const { output, exitCode } = await arbiterCommand(rest);
    print(output);
    process.exitCode = exitCode;
    return;
  }
  const { values } = parseCommandArgs({ args: rest, options: OPTIONS, strict: true });
  switch (command) {
    case 'ca-init': {
      const dir = resolve(required(values, 'dir'));
      if (existsSync(join(dir, 'ca.key'))) fail(`${dir}/ca.key exists; refusing to overwrite a CA key`);
      mkdirSync(dir, { recursive: true });
      const ca = generateKeyPair(nodeCrypto);
      writeSecretKey(join(dir, 'ca.key'), ca.secretKey);
      writeFileSync(join(dir, 'ca.pub'), `${ca.publicKey}\n`);
      print({ caPublicKey: ca.publicKey, secretKeyFile: join(dir, 'ca.key') });
      return;
    }
    case 'ca-sign': {
      const ca = readKeyPair(nodeCrypto, join(resolve(required(values, 'ca')), 'ca.key'));
      const certificate = signOperatorCertificate(
        nodeCrypto,
        ca.secretKey,
        {
          operatorId: required(values, 'operator-id'),
          publicKey: required(values, 'public-key'),
          baseUrl: required(values, 'base-url'),
          currencies: [required(values, 'currency')],
          validFor_days: Number(values['valid-days'] ?? '365'),
        },
        Date.now(),
      );
      writeFileSync(required(values, 'out'), `${JSON.stringify(certificate, null, 2)}\n`);
      print(certificate.payload);
      return;
    }
    case 'keygen': {
      const keys = generateKeyPair(nodeCrypto);
      writeSecretKey(required(values, 'out'), keys.secretKey);
      print({ publicKey: keys.publicKey });
      return;
    }
    case 'init': {
      const caDir = resolve(required(values, 'ca'));
      const ca = readKeyPair(nodeCrypto, join(caDir, 'ca.key'));
      const peers = (values.peer ?? []).map((text) => {
        const [operatorId, baseUrl] = text.split('=');
        if (operatorId === undefined || baseUrl === undefined) fail(`--peer takes ID=URL, not ${text}`);
        return { operatorId, baseUrl };
      });
      const tlsCertificate = values['tls-certificate'];
      const tlsKey = values['tls-key'];
      if ((tlsCertificate === undefined) !== (tlsKey === undefined))
        fail('--tls-certificate and --tls-key go together');
      const files = writeOperatorFiles(
        nodeCrypto,
        {
          dir: resolve(required(values, 'dir')),
          operatorId: required(values, 'operator-id'),
          currency: required(values, 'currency'),
          host: values.host ?? '127.0.0.1',
          port: Number(required(values, 'port')),
          caSecretKey: ca.secretKey,
          caPublicKey: ca.publicKey,
          peers,
          ...(values['public-url'] !== undefined ? { publicUrl: values['public-url'] } : {}),
          extra: {
            ...(tlsCertificate !== undefined && tlsKey !== undefined
              ? { tls: { certificateFile: resolve(tlsCertificate), keyFile: resolve(tlsKey) } }
              : {}),
            ...(values['trusted-ca'] !== undefined
              ? { trustedCaFiles: values['trusted-ca'].map((file) => resolve(file)) }
              : {}),
          },
        },
        Date.now(),
      );
      print({
        config: files.configPath,
        publicKey: files.publicKey,
        baseUrl: files.baseUrl,
        adminToken: files.adminToken,
      });
      return;
    }
    case 'start': {
      await serveOperator(required(values, 'config'));
      return;
    }
    case 'customer-create': {
      const admin = adminOf(required(values, 'config'));
      const config = loadConfigFile(required(values, 'config'));
      const created = await admin.call('createCustomer', {
        creditLimit: { currency: config.currency, value: required(values, 'credit-limit') },
        ...(values.name !== undefined ? { displayName: values.name } : {}),
      });
      const code = await admin.call('enrollmentCode', {}, { accountId: created.accountId });
      print({ ...created, enrollmentCode: code.code, codeExpiresAt: code.expiresAt });
      return;
    }
    case 'enrollment-code': {
      print(
        await adminOf(required(values, 'config')).call(
          'enrollmentCode',
          {},
          { accountId: required(values, 'account') },
        ),
      );
      return;
    }
    case 'merchant-register': {
      print(
        await adminOf(required(values, 'config')).call('registerMerchant', {
          merchantId: required(values, 'merchant-id'),
          displayName: required(values, 'name'),
          currency: required(values, 'currency'),
          origins: values.origin ?? fail('--origin is required'),
          agentUrl: required(values, 'agent-url'),
          publicKey: required(values, 'public-key'),
        }),
      );
      return;
    }
    case 'customers': {
      const query = { text: values.text, status: values.status };
      print(await adminOf(required(values, 'config')).call('searchCustomers', undefined, {}, definedOnly(query)));
      return;
    }
    case 'customer-status': {
      const status = oneOf(required(values, 'status'), ['active', 'suspended', 'closed'] as const, 'status');
      print(
        await adminOf(required(values, 'config')).call(
          'setCustomerStatus',
          { status, reason: required(values, 'reason') },
          { accountId: required(values, 'account') },
        ),
      );
      return;
    }
    case 'credit-limit': {
      const config = loadConfigFile(required(values, 'config'));
      print(
        await adminOf(required(values, 'config')).call(
          'setCreditLimit',
          { creditLimit: { currency: config.currency, value: required(values, 'credit-limit') } },
          { accountId: required(values, 'account') },
        ),
      );
      return;
    }
    case 'merchants': {
      print(await adminOf(required(values, 'config')).call('listMerchants', undefined));
      return;
    }
    case 'merchant-status': {
      const status = oneOf(required(values, 'status'), ['active', 'suspended'] as const, 'status');
      print(
        await adminOf(required(values, 'config')).call(
          'setMerchantStatus',
          { status, reason: required(values, 'reason') },
          { merchantId: required(values, 'merchant-id') },
        ),
      );
      return;
    }
    case 'merchant-revoke': {
      print(
        await adminOf(required(values, 'config')).call(
          'revokeMerchant',
          { reason: required(values, 'reason') },
          { merchantId: required(values, 'merchant-id') },
        ),
      );
      return;
    }
    case 'peers': {
      print(await adminOf(required(values, 'config')).call('listPeers', undefined));
      return;
    }
    case 'peer-revoke': {
      const peer = values.peer?.length === 1 ? values.peer[0]! : fail('--peer names exactly one peer operator');
      print(
        await adminOf(required(values, 'config')).call(
          'revokePeer',
          { reason: required(values, 'reason') },
          { operatorId: peer },
        ),
      );
      return;
    }
    case 'staff-create': {
      const password = (await firstLineOfStdin()).replace(/\r$/, '');
      const role = values.role;
      if (role !== undefined && role !== 'owner' && role !== 'staff') fail('--role is owner or staff');
      print(
        await adminOf(required(values, 'config')).call('createStaff', {
          name: required(values, 'name'),
          password,
          ...(role !== undefined ? { role } : {}),
        }),
      );
      return;
    }
    case 'staff-disable':
    case 'staff-enable':
    case 'staff-unlock': {
      const route = (
        { 'staff-disable': 'disableStaff', 'staff-enable': 'enableStaff', 'staff-unlock': 'unlockStaff' } as const
      )[command];
      print(await adminOf(required(values, 'config')).call(route, {}, { name: required(values, 'name') }));
      return;
    }
    case 'staff': {
      print(await adminOf(required(values, 'config')).call('listStaff', undefined));
      return;
    }
    case 'staff-actions': {
      print(await adminOf(required(values, 'config')).call('staffActions', undefined));
      return;
    }
    case 'keys': {
      print(await adminOf(required(values, 'config')).call('listKeys', undefined));
      return;
    }
    case 'key-prepare': {
      print(await adminOf(required(values, 'config')).call('prepareKey', {}));
      return;
    }
    case 'key-rotate': {
      const overlap_s = Number(required(values, 'overlap-s'));
      if (!Number.isSafeInteger(overlap_s) || overlap_s < 0) fail('--overlap-s must be a whole number of seconds');
      const certificate = JSON.parse(readFileSync(required(values, 'certificate'), 'utf8'));
      print(await adminOf(required(values, 'config')).call('rotateKey', { certificate, overlap_s }));
      return;
    }
    case 'revocations': {
      print(await adminOf(required(values, 'config')).call('listRevocations', undefined));
      return;
    }
    case 'disputes': {
      print(await adminOf(required(values, 'config')).call('listDisputes', undefined));
      return;
    }
    case 'dispute-resolve': {
      const admin = adminOf(required(values, 'config'));
      const disputeId = required(values, 'dispute');
      const decision = oneOf(required(values, 'decision'), ['uphold', 'adjust'] as const, 'decision');
      // The amount is in the tab's currency, which the dispute names.
      const { deposit } = await admin.call('getDispute', undefined, { disputeId });
      const cleared =
        decision === 'adjust' ? { cleared: { currency: deposit.currency, value: required(values, 'cleared') } } : {};
      print(
        await admin.call('resolveDispute', { decision, reason: required(values, 'reason'), ...cleared }, { disputeId }),
      );
      return;
    }
    case 'tab-story': {
      print(await adminOf(required(values, 'config')).call('tabStory', undefined, { tabId: required(values, 'tab') }));
      return;
    }
    case 'outbox': {
      print(
        await adminOf(required(values, 'config')).call(
          'listOutbox',
          undefined,
          {},
          definedOnly({ state: values.state }),
        ),
      );
      return;
    }
    case 'outbox-retry': {
      const recordIds = values.record;
      print(
        await adminOf(required(values, 'config')).call('retryOutbox', recordIds === undefined ? {} : { recordIds }),
      );
      return;
    }
    case 'settlement': {
      const config = loadConfigFile(required(values, 'config'));
      const db = openDatabase(join(config.dataDir, 'operator.sqlite'));
      const timestamp = (name: 'from' | 'until', fallback: number) => {
        const text = values[name];
        if (text === undefined) return fallback;
        return parseTimestamp(text) ?? fail(`--${name} must be an RFC 3339 timestamp such as 2026-11-01T00:00:00Z`);
      };
      try {
        const peer = values.peer?.length === 1 ? values.peer[0]! : fail('--peer names exactly one peer operator');
        const storage = new SqliteOperatorStorage({
          db,
          store: new OperatorStore(db, config.operatorId),
          ledger: new Ledger(db),
          outbox: new Outbox(db),
        });
        const [from_ms, until_ms] = [timestamp('from', 0), timestamp('until', Date.now() + 1)];
        print(
          await storage.transaction((tx) => settlementStatement(tx.ledger, config.operatorId, peer, from_ms, until_ms)),
        );
      } finally {
        db.close();
      }
      return;
    }
    case 'audit': {
      const config = loadConfigFile(required(values, 'config'));
      const settle_s = Number(values['settle-s'] ?? '300');
      if (!Number.isSafeInteger(settle_s) || settle_s < 0) fail('--settle-s must be a whole number of seconds');
      const audit = await auditOperatorStore(config, { now_ms: Date.now(), settle_ms: settle_s * 1000 });
      if (values.json === true) print(audit);
      else process.stdout.write(describeChecks(`audit ${audit.operatorId} (${audit.databasePath})`, audit.results));
      if (!audit.ok) process.exitCode = 1;
      return;
    }
    case 'api': {
      // Every admin route, so that what the console does can be scripted too.
      const route = required(values, 'route');
      if (!Object.hasOwn(ADMIN_API, route))
        fail(`--route must name an admin route: ${Object.keys(ADMIN_API).join(', ')}`);
      let body: unknown;
      try {
        body = values.body === undefined ? undefined : JSON.parse(values.body);
      } catch {
        fail('--body must be JSON');
      }
      const admin = adminOf(required(values, 'config'));
      print(
        await admin.call(
          route as keyof typeof ADMIN_API,
          body as never,
          pairs(values.param, 'param'),
          pairs(values.query, 'query'),
        ),
      );
      return;
    }
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
  if (error instanceof ConfigError) fail(error.message);
  if (error instanceof ArbiterError) {
    process.stderr.write(`opentab-operator: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  fail(error instanceof Error ? error.message : String(error));
});
