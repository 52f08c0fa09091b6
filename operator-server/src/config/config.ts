// Operator configuration: one JSON file, with secrets and deployment details overridable from
// the environment. Validated at start-up so a bad setting fails loudly before the port opens.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import * as v from 'valibot';
import { CalendarDate, CurrencyCode, HttpUrl, OperatorId, PublicKey } from '@opentab/protocol';
import { SecureHttpUrl } from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import { MAX_TRUSTED_PROXIES } from '@opentab/server-kit';
import { RATE_LIMIT_MAX } from '@opentab/server-kit';
import { DEFAULT_MAX_SOURCE_AGE_S } from '../rates/rate-freshness';
import { readCaCertificates, readTlsCredentials } from '../tls/tls-credentials';

const Seconds = (min: number, max: number) => v.pipe(v.number(), v.safeInteger(), v.minValue(min), v.maxValue(max));

const BillingSinkConfig = v.variant('kind', [
  v.strictObject({ kind: v.literal('jsonl'), path: v.pipe(v.string(), v.minLength(1)) }),
  v.strictObject({
    kind: v.literal('webhook'),
    url: SecureHttpUrl,
    /** Shared secret for the HMAC-SHA256 signature header. */
    secret: v.pipe(v.string(), v.minLength(16)),
  }),
]);
export type BillingSinkConfig = v.InferOutput<typeof BillingSinkConfig>;

/**
 * `sample: true` serves the source's rates however old they are, and every table says they are
 * sample rates: for a demonstration with a file of old rates, never for real customers.
 */
const Sample = v.optional(v.boolean());

const RateSourceConfig = v.variant('source', [
  /** The ECB's reference-rate file on disk, read again when it changes (looked at every `refreshEvery_s`). */
  v.strictObject({
    source: v.literal('ecb-file'),
    path: v.pipe(v.string(), v.minLength(1)),
    sample: Sample,
    refreshEvery_s: v.optional(Seconds(1, 24 * 3600)),
  }),
  /** The ECB's reference-rate file over HTTP(S), fetched every `refreshEvery_s`; after a failure after `firstRetry_s`, doubling. */
  v.strictObject({
    source: v.literal('ecb-http'),
    url: HttpUrl,
    refreshEvery_s: v.optional(Seconds(60, 24 * 3600)),
    firstRetry_s: v.optional(Seconds(1, 3600)),
    timeout_s: v.optional(Seconds(1, 300)),
  }),
  /** Rates the operator sets itself; `publishedOn` is the day they are for, which every table states. */
  v.strictObject({
    source: v.literal('fixed'),
    base: CurrencyCode,
    rates: v.record(CurrencyCode, v.string()),
    publishedOn: CalendarDate,
    sample: Sample,
  }),
]);

/** The ECB's daily reference-rate file: the rate source of an operator whose configuration names none. */
export const ECB_DAILY_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml';

/** A rate source with its defaults applied (and a file's path made absolute). */
export type RateSourceSettings =
  | { readonly source: 'ecb-file'; readonly path: string; readonly sample: boolean; readonly refreshEvery_s: number }
  | {
      readonly source: 'ecb-http';
      readonly url: string;
      readonly refreshEvery_s: number;
      readonly firstRetry_s: number;
      readonly timeout_s: number;
    }
  | {
      readonly source: 'fixed';
      readonly base: string;
      readonly rates: Readonly<Record<string, string>>;
      readonly publishedOn: string;
      readonly sample: boolean;
    };

/** Looking at a file's size and times costs next to nothing. */
const DEFAULT_FILE_REFRESH_EVERY_S = 10;
/** The ECB publishes once a working day, at about 16:00 CET: a quarter of an hour later is soon enough. */
const DEFAULT_HTTP_REFRESH_EVERY_S = 900;
const DEFAULT_FIRST_RETRY_S = 30;
const DEFAULT_HTTP_TIMEOUT_S = 30;

function rateSourceSettings(
  config: v.InferOutput<typeof RateSourceConfig> | undefined,
  absolute: (path: string) => string,
): RateSourceSettings {
  switch (config?.source) {
    case undefined:
      return {
        source: 'ecb-http',
        url: ECB_DAILY_URL,
        refreshEvery_s: DEFAULT_HTTP_REFRESH_EVERY_S,
        firstRetry_s: DEFAULT_FIRST_RETRY_S,
        timeout_s: DEFAULT_HTTP_TIMEOUT_S,
      };
    case 'ecb-file':
      return {
        source: 'ecb-file',
        path: absolute(config.path),
        sample: config.sample ?? false,
        refreshEvery_s: config.refreshEvery_s ?? DEFAULT_FILE_REFRESH_EVERY_S,
      };
    case 'ecb-http':
      return {
        source: 'ecb-http',
        url: config.url,
        refreshEvery_s: config.refreshEvery_s ?? DEFAULT_HTTP_REFRESH_EVERY_S,
        firstRetry_s: config.firstRetry_s ?? DEFAULT_FIRST_RETRY_S,
        timeout_s: config.timeout_s ?? DEFAULT_HTTP_TIMEOUT_S,
      };
    case 'fixed':
      return { ...config, sample: config.sample ?? false };
  }
}

const FilePath = v.pipe(v.string(), v.minLength(1));

/** The operator serves https itself with this certificate; it is reloaded when the files change. */
const TlsConfig = v.strictObject({
  /** PEM: the server certificate, then any intermediate certificates. */
  certificateFile: FilePath,
  /** PEM: its private key, unencrypted (keep the file readable by the operator alone). */
  keyFile: FilePath,
});

const WholeNumber = (min: number, max: number) => v.pipe(v.number(), v.safeInteger(), v.minValue(min), v.maxValue(max));
const IpAddress = v.pipe(
  v.string(),
  v.check((text) => isIP(text) !== 0, 'must be an IPv4 or IPv6 address'),
);

/** One class of routes, limited per client address: `burst` requests at once, then `perClient_per_s` a second. */
const RateLimitClass = v.strictObject({
  perClient_per_s: v.optional(WholeNumber(1, RATE_LIMIT_MAX)),
  burst: v.optional(WholeNumber(1, RATE_LIMIT_MAX)),
});

export interface RateLimitClassConfig {
  readonly perClient_per_s: number;
  readonly burst: number;
}

export interface RateLimitConfig {
  /** Customer-facing routes: customer- and tab-signed ones and the public GETs. */
  readonly customer: RateLimitClassConfig;
  /** Routes other operators and merchant agents call (operator- and merchant-signed). */
  readonly peer: RateLimitClassConfig;
  /** Client addresses tracked at once per class; bounds memory. */
  readonly maxClients: number;
  /**
   * Addresses of reverse proxies in front of the operator. A request whose peer is one of them is
   * counted against the client its X-Forwarded-For names (read from the right, past the trusted
   * proxies); from anyone else the header is ignored, so a client cannot choose its own bucket.
   */
  readonly trustedProxies: readonly string[];
}

/**
 * Far above what a person at a browser does (a page of paid articles is a handful of requests),
 * and what a few dozen people behind one NAT address do, yet it caps what one address can make
 * the operator verify (Ed25519, ~80 µs each) at a few milliseconds of CPU a second.
 */
export const DEFAULT_RATE_LIMIT: RateLimitConfig = {
  customer: { perClient_per_s: 50, burst: 200 },
  // A peer operator or a merchant agent speaks for all of its customers at once.
  peer: { perClient_per_s: 2000, burst: 4000 },
  maxClients: 100_000,
  trustedProxies: [],
};

/** postgres://user[:password]@host[:port]/database, with any query parameters node-postgres reads. */
const PostgresUrl = v.pipe(
  v.string(),
  v.regex(/^postgres(ql)?:\/\/[^/]+\/[^/?]+/, 'must be a postgres://user@host:port/database URL'),
);

export const DEFAULT_POSTGRES_POOL_SIZE = 10;

/**
 * Where the operator keeps its ledger and records: its SQLite file, `operator.sqlite` in the data
 * directory (the default: one process, nothing to run beside it), or a PostgreSQL database that
 * several operator processes share. A PostgreSQL process holds up to `poolSize` connections; one
 * of them holds a background sweep's turn while the sweep runs, hence at least two.
 */
const StoreConfig = v.variant('kind', [
  v.strictObject({ kind: v.literal('sqlite') }),
  v.strictObject({
    kind: v.literal('postgres'),
    url: PostgresUrl,
    poolSize: v.optional(WholeNumber(2, 1000)),
  }),
]);

export type OperatorStoreSettings =
  | { readonly kind: 'sqlite' }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };

export const OperatorConfigSchema = v.strictObject({
  operatorId: OperatorId,
  /** The currency of this operator's customers and merchants. */
  currency: CurrencyCode,
  listen: v.strictObject({
    host: v.string(),
    port: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(65535)),
  }),
  /** Serve https on the listen address. Without it the operator speaks plain http: on loopback, or behind a TLS reverse proxy. */
  tls: v.optional(TlsConfig),
  /**
   * PEM files of certificate authorities trusted for https calls to peers, merchant agents and
   * webhook sinks, besides Node's bundled roots (a private CA of the operators, say).
   */
  trustedCaFiles: v.optional(v.array(FilePath), []),
  /** The base URL others reach this operator at; it is in the operator certificate. https, or http on loopback. */
  publicUrl: SecureHttpUrl,
  dataDir: v.pipe(v.string(), v.minLength(1)),
  store: v.optional(StoreConfig),
  caPublicKey: PublicKey,
  /** File holding the operator's Ed25519 secret key (base64url); or env OPENTAB_OPERATOR_SECRET_KEY. */
  secretKeyFile: v.optional(v.string()),
  /** File holding the CA-signed operator certificate (JSON envelope). */
  certificateFile: v.string(),
  /** Admin bearer token; or env OPENTAB_ADMIN_TOKEN. */
  adminToken: v.optional(v.pipe(v.string(), v.minLength(16))),
  peers: v.optional(v.array(v.strictObject({ operatorId: OperatorId, baseUrl: SecureHttpUrl })), []),
  billingSinks: v.optional(v.array(BillingSinkConfig), []),
  /**
   * Arbiters (a consumer board, say) this MTA releases a delivery's escrowed K2 to, on an evidence
   * bundle that verifies; each release is logged. None by default.
   */
  arbiters: v.optional(
    v.pipe(
      v.array(v.strictObject({ name: v.pipe(v.string(), v.minLength(1), v.maxLength(80)), publicKey: PublicKey })),
      v.maxLength(100),
    ),
    [],
  ),
  rates: v.optional(
    v.strictObject({
      lifespan_s: v.optional(Seconds(10, 7 * 24 * 3600), 3600),
      /** Rates older than this, from the start of the day they are for, are not published (rate-freshness.ts
       * says why 6 days). */
      maxSourceAge_s: v.optional(Seconds(3600, 90 * 24 * 3600)),
      rateSource: v.optional(RateSourceConfig),
    }),
  ),
  tabs: v.optional(
    v.strictObject({
      minTimeout_s: v.optional(Seconds(10, 3600), 10),
      maxTimeout_s: v.optional(Seconds(60, 30 * 24 * 3600), 7 * 24 * 3600),
      /** How long the MTA waits for the second record (or any record after expiry) before clearing on what it has. */
      recordGrace_s: v.optional(Seconds(0, 7 * 24 * 3600), 30),
      /**
       * How long after a tab's expiry the customer's AM keeps the hold while no clearing arrives
       * (the MTA gone or unreachable). Then the hold is released; a clearing that still comes is
       * charged without it.
       */
      holdDeadline_s: v.optional(Seconds(1, 90 * 24 * 3600), 7 * 24 * 3600),
      /**
       * How long the customer's AM lets a transaction stay 'opening' without a definite answer
       * from the MTA (it stopped, or the MTA cannot be reached) before it fails it and releases
       * the hold. Safe: no tab-opened left, so the customer cannot have revealed a chain link.
       */
      openingBound_s: v.optional(Seconds(5, 3600), 60),
      /**
       * How long the MTA waits, once a tab is due, for a merchant agent it asked for its record
       * and that does not answer (down, unreachable), before it clears on what it has. A record
       * that still comes corrects the clearing within the late-record window.
       */
      merchantRecordWait_s: v.optional(Seconds(0, 30 * 24 * 3600), 24 * 3600),
      /** How long after its clearing a tab's clearing is still corrected by a record that proves more. */
      lateRecordWindow_s: v.optional(Seconds(0, 365 * 24 * 3600), 30 * 24 * 3600),
    }),
    {},
  ),
  sessions: v.optional(v.strictObject({ lifetime_s: v.optional(Seconds(60, 90 * 24 * 3600), 24 * 3600) }), {}),
  clockSkew_s: v.optional(Seconds(1, 3600), 300),
  /** How often the background jobs (timeouts, outbox) look for due work. */
  tick_ms: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(10), v.maxValue(60_000)), 250),
  log: v.optional(v.picklist(['silent', 'info', 'debug']), 'info'),
  /** Requests per client address (IPv4 address, IPv6 /64), checked before a body is read. */
  rateLimit: v.optional(
    v.strictObject({
      customer: v.optional(RateLimitClass, {}),
      peer: v.optional(RateLimitClass, {}),
      maxClients: v.optional(WholeNumber(1, 10_000_000)),
      trustedProxies: v.optional(v.pipe(v.array(IpAddress), v.maxLength(MAX_TRUSTED_PROXIES))),
    }),
    {},
  ),
});
export type OperatorConfigFile = v.InferOutput<typeof OperatorConfigSchema>;
/** What a configuration file may say (defaults not yet applied). */
export type OperatorConfigInput = v.InferInput<typeof OperatorConfigSchema>;

/** The validated configuration with defaults applied, paths absolute and secrets resolved. */
export interface OperatorConfig
  extends Omit<
    OperatorConfigFile,
    'adminToken' | 'secretKeyFile' | 'rates' | 'tabs' | 'sessions' | 'rateLimit' | 'store'
  > {
  readonly store: OperatorStoreSettings;
  readonly adminToken: string;
  readonly secretKey: string;
  readonly rates: {
    readonly lifespan_s: number;
    readonly maxSourceAge_s: number;
    readonly rateSource: RateSourceSettings;
  };
  readonly tabs: {
    readonly minTimeout_s: number;
    readonly maxTimeout_s: number;
    readonly recordGrace_s: number;
    readonly holdDeadline_s: number;
    readonly openingBound_s: number;
    readonly merchantRecordWait_s: number;
    readonly lateRecordWindow_s: number;
  };
  readonly sessions: { readonly lifetime_s: number };
  readonly rateLimit: RateLimitConfig;
  /** The contents of trustedCaFiles, read at start-up. */
  readonly trustedCaCertificates: readonly string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Environment variables that override the file, for containers and secrets managers. */
function environmentOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  if (env.OPENTAB_PORT !== undefined) overrides.port = Number(env.OPENTAB_PORT);
  if (env.OPENTAB_HOST !== undefined) overrides.host = env.OPENTAB_HOST;
  if (env.OPENTAB_PUBLIC_URL !== undefined) overrides.publicUrl = env.OPENTAB_PUBLIC_URL;
  if (env.OPENTAB_DATA_DIR !== undefined) overrides.dataDir = env.OPENTAB_DATA_DIR;
  // The URL may hold the database password.
  if (env.OPENTAB_STORE_URL !== undefined) overrides.storeUrl = env.OPENTAB_STORE_URL;
  return overrides;
}

export function resolveConfig(raw: unknown, baseDir: string, env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const overrides = environmentOverrides(env);
  const merged = { ...(raw as object) } as Record<string, unknown>;
  if (overrides.publicUrl !== undefined) merged.publicUrl = overrides.publicUrl;
  if (overrides.dataDir !== undefined) merged.dataDir = overrides.dataDir;
  if (overrides.storeUrl !== undefined) {
    const store = (merged.store ?? {}) as Record<string, unknown>;
    merged.store = { ...store, kind: 'postgres', url: overrides.storeUrl };
  }
  if (overrides.port !== undefined || overrides.host !== undefined) {
    const listen = (merged.listen ?? {}) as Record<string, unknown>;
    merged.listen = {
      ...listen,
      ...(overrides.host !== undefined ? { host: overrides.host } : {}),
      ...(overrides.port !== undefined ? { port: overrides.port } : {}),
    };
  }
  const parsed = parseMessage(OperatorConfigSchema, merged);
  if (!parsed.ok) throw new ConfigError(`invalid operator configuration:\n  ${parsed.error.details.join('\n  ')}`);
  const file = parsed.value;
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));

  const adminToken = env.OPENTAB_ADMIN_TOKEN ?? file.adminToken;
  if (adminToken === undefined || adminToken.length < 16)
    throw new ConfigError('an admin token of at least 16 characters is required (adminToken or OPENTAB_ADMIN_TOKEN)');
  const secretKey =
    env.OPENTAB_OPERATOR_SECRET_KEY ??
    (file.secretKeyFile === undefined ? undefined : readSecret(absolute(file.secretKeyFile)));
  if (secretKey === undefined)
    throw new ConfigError('the operator secret key is required (secretKeyFile or OPENTAB_OPERATOR_SECRET_KEY)');

  const tls =
    file.tls === undefined
      ? undefined
      : { certificateFile: absolute(file.tls.certificateFile), keyFile: absolute(file.tls.keyFile) };
  const trustedCaFiles = file.trustedCaFiles.map(absolute);
  const trustedCaCertificates = checkTransportFiles(file.publicUrl, tls, trustedCaFiles);

  const { secretKeyFile: _secretKeyFile, adminToken: _adminToken, tls: _tls, ...rest } = file;
  return {
    ...rest,
    ...(tls !== undefined ? { tls } : {}),
    trustedCaFiles,
    trustedCaCertificates,
    dataDir: absolute(file.dataDir),
    store:
      file.store?.kind === 'postgres'
        ? { kind: 'postgres', url: file.store.url, poolSize: file.store.poolSize ?? DEFAULT_POSTGRES_POOL_SIZE }
        : { kind: 'sqlite' },
    certificateFile: absolute(file.certificateFile),
    adminToken,
    secretKey,
    billingSinks: file.billingSinks.map((sink) =>
      sink.kind === 'jsonl' ? { ...sink, path: absolute(sink.path) } : sink,
    ),
    rates: {
      lifespan_s: file.rates?.lifespan_s ?? 3600,
      maxSourceAge_s: file.rates?.maxSourceAge_s ?? DEFAULT_MAX_SOURCE_AGE_S,
      rateSource: rateSourceSettings(file.rates?.rateSource, absolute),
    },
    tabs: {
      minTimeout_s: file.tabs.minTimeout_s ?? 10,
      maxTimeout_s: file.tabs.maxTimeout_s ?? 7 * 24 * 3600,
      recordGrace_s: file.tabs.recordGrace_s ?? 30,
      holdDeadline_s: file.tabs.holdDeadline_s ?? 7 * 24 * 3600,
      openingBound_s: file.tabs.openingBound_s ?? 60,
      merchantRecordWait_s: file.tabs.merchantRecordWait_s ?? 24 * 3600,
      lateRecordWindow_s: file.tabs.lateRecordWindow_s ?? 30 * 24 * 3600,
    },
    sessions: { lifetime_s: file.sessions.lifetime_s ?? 24 * 3600 },
    rateLimit: {
      customer: { ...DEFAULT_RATE_LIMIT.customer, ...definedOnly(file.rateLimit.customer) },
      peer: { ...DEFAULT_RATE_LIMIT.peer, ...definedOnly(file.rateLimit.peer) },
      maxClients: file.rateLimit.maxClients ?? DEFAULT_RATE_LIMIT.maxClients,
      trustedProxies: file.rateLimit.trustedProxies ?? DEFAULT_RATE_LIMIT.trustedProxies,
    },
  };
}

/**
 * The TLS certificate and key (readable, a matching pair) and the trusted CA files (readable
 * certificates), every problem at once; the CA certificates' PEM when all is well.
 */
function checkTransportFiles(
  publicUrl: string,
  tls: { certificateFile: string; keyFile: string } | undefined,
  trustedCaFiles: readonly string[],
): string[] {
  const problems: string[] = [];
  if (tls !== undefined) {
    const read = readTlsCredentials(tls);
    if (!read.ok) problems.push(...read.problems);
    if (new URL(publicUrl).protocol !== 'https:')
      problems.push(`publicUrl ${publicUrl} must be https: when the operator serves TLS itself (tls)`);
  }
  const certificates: string[] = [];
  for (const path of trustedCaFiles) {
    const read = readCaCertificates(path);
    if (read.ok) certificates.push(read.pem);
    else problems.push(read.problem);
  }
  if (problems.length > 0) throw new ConfigError(`invalid operator configuration:\n  ${problems.join('\n  ')}`);
  return certificates;
}

function definedOnly<T extends object>(settings: T): Partial<T> {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function readSecret(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(`cannot read the operator secret key file ${path}: ${(error as Error).message}`);
  }
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read operator configuration ${path}: ${(error as Error).message}`);
  }
  return resolveConfig(raw, dirname(resolve(path)), env);
}
