// The merchant's configuration, checked once at startup: every mistake is reported together in
// one MerchantAgentConfigError, so a merchant never learns of a bad key from a failed purchase.

import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { MIN_ADMIN_TOKEN_LENGTH, type AdminLogin } from './admin/admin-logins';
import type { AgentExtension } from './extension';
import { resolveStoreConfig, type AgentStoreConfig, type AgentStoreSettings } from './store-config';
import type { HttpTransport } from '@opentab/protocol';
import { checkPublicKey, weakKeySentence } from '@opentab/protocol';
import { fromBase64url, fromBase64urlOfLength } from '@opentab/protocol';
import { CurrencyCode, DISPLAY_NAME_MAX_LENGTH, DisplayName, HttpUrl, MerchantId, OperatorId } from '@opentab/protocol';
import { isSecureAddress, SECURE_ADDRESS_RULE } from '@opentab/protocol';
import { MAX_TRUSTED_PROXIES, clientAddressOf, trustedProxySet } from '@opentab/server-kit';
import { createNodeHttpTransport } from '@opentab/server-kit';
import { RATE_LIMIT_MAX, type RateLimit } from '@opentab/server-kit';
import { CLOCK_SKEW_MS, systemClock, type Clock } from '@opentab/protocol';
import { Catalogue, LiveCatalogue, type CatalogueEntry } from './catalogue';

export type { Clock } from '@opentab/protocol';

/** Where the agent reports what it cannot answer to anyone (a record the MTA keeps refusing, a listener that threw). */
export interface AgentLogger {
  warn(message: string, detail?: unknown): void;
}

/** One class of routes, limited per client address: `burst` requests at once, then `perClient_per_s` a second. */
export interface AgentRateLimitClass {
  readonly perClient_per_s?: number;
  readonly burst?: number;
}

export interface AgentRateLimitConfig {
  /** The browser-facing routes: info, purchase, terminate, direct order and goods. Default 50/s, burst 200. */
  readonly customer?: AgentRateLimitClass;
  /** The MTA's routes (tab information, tab cleared, direct payment notice). Default 2000/s, burst 4000. */
  readonly operator?: AgentRateLimitClass;
  /** Client addresses tracked at once per class; bounds memory. Default 100 000. */
  readonly maxClients?: number;
  /**
   * Addresses of reverse proxies in front of the agent. A request from one of them is limited
   * under the client its X-Forwarded-For names (read from the right past these proxies, never
   * what a client wrote itself); from anyone else the header is ignored. As the operator's
   * `rateLimit.trustedProxies`.
   */
  readonly trustedProxies?: readonly string[];
  /**
   * For a proxy that names the client otherwise: the address a request is limited under (never a
   * header a client could send past the proxy). Default: the connection's peer address, or the
   * client trustedProxies name. Give one of the two, not both.
   */
  readonly clientAddress?: (request: IncomingMessage) => string | undefined;
}

export interface AgentRateLimitSettings {
  readonly customer: RateLimit;
  readonly operator: RateLimit;
  readonly maxClients: number;
  readonly clientAddress: (request: IncomingMessage) => string | undefined;
}

/**
 * Far above a person clicking (the extension pays at click speed, a page load asks /info once)
 * and a few dozen people behind one NAT address; the MTA speaks for all customers at once.
 */
export const DEFAULT_AGENT_RATE_LIMIT: AgentRateLimitSettings = {
  customer: { refill_per_s: 50, burst_tokens: 200 },
  operator: { refill_per_s: 2000, burst_tokens: 4000 },
  maxClients: 100_000,
  clientAddress: (request) => request.socket.remoteAddress,
};

export interface MerchantAgentConfig {
  readonly merchantId: string;
  readonly displayName: string;
  readonly operatorId: string;
  /**
   * Base URL of the merchant's operator (its MTA); records go to `${operatorBaseUrl}/v1/merchant/records`.
   * https, or plain http only on loopback (127.0.0.0/8, ::1, localhost).
   */
  readonly operatorBaseUrl: string;
  /**
   * PEM certificates of the CAs that may have signed the operator's TLS certificate, when it is
   * not one Node's bundled roots trust (an operator with a private CA). Certificates are always checked.
   */
  readonly operatorTrustedCaCertificates?: readonly string[];
  /**
   * The operator's Ed25519 public key, base64url: it signs tab information, clearings and record acks.
   * When the operator rotates its key, the agent follows the successor a notice signed by this key
   * announces (operator-keys.ts); the configuration need not change.
   */
  readonly operatorPublicKey: string;
  /**
   * The CA's Ed25519 public key, base64url, that must have certified every key of the operator the
   * agent follows. Unset: the CA that certified `operatorPublicKey`, as the operator shows it.
   */
  readonly operatorCaPublicKey?: string;
  /** How often the agent reads its operator's key rotation notices when no unknown key made it. Default 15 min. */
  readonly operatorKeyCheckInterval_ms?: number;
  /** The merchant's Ed25519 secret key (32-byte seed), base64url: signs acks, receipts, records. */
  readonly merchantSecretKey: string;
  readonly currency: string;
  readonly catalogue: readonly CatalogueEntry[];
  /** Where the agent keeps tabs, purchases, answers and records (store-config.ts); SQLite is the default. */
  readonly store?: AgentStoreConfig;
  /** SQLite file (created if missing): the same as `store: { kind: 'sqlite', path }`. Give one of the two. */
  readonly databasePath?: string;
  /** HMAC key of access tokens, base64url, at least 32 bytes. Keep it beside the merchant key. */
  readonly accessTokenSecret: string;
  /** Path under which the merchant's server exposes the agent. Default '/opentab'. */
  readonly mountPath?: string;
  /** The built widget served as `${mountPath}/widget.js`. Default: dist/widget/widget.js of this repository. */
  readonly widgetFilePath?: string;
  /**
   * Where `${mountPath}/install` (the widget's default "get Opentab" link) redirects: an
   * http(s) URL or a path on the merchant's site such as '/get-opentab'. Unset: that route is 404.
   */
  readonly extensionInstallUrl?: string;
  /** Epoch ms for expiries, freshness and retries. Default Date.now; given, it drives the rate limits too. */
  readonly clock?: Clock;
  readonly logger?: AgentLogger;
  /**
   * How long a consumable's access token opens its item (time to fetch what was bought). An
   * entitlement's token opens it for the item's own `access_s`. Default 24 h.
   */
  readonly accessTokenLifetime_ms?: number;
  /** First record retry delay; doubles per attempt up to recordRetryMax_ms. Default 1 s. */
  readonly recordRetryBase_ms?: number;
  /** Longest pause between two record deliveries. Default 5 min. */
  readonly recordRetryMax_ms?: number;
  /** How long one record delivery may take before it counts as failed. Default 10 s. */
  readonly recordCallTimeout_ms?: number;
  /**
   * How often the agent stops tabs past their timeout, forgets replies past their retention and, on
   * PostgreSQL, takes up catalogue edits other processes made (for its merchant information). Default 1 s.
   */
  readonly expiryCheckInterval_ms?: number;
  /** Allowed distance between a signed message's iat and this clock. Default 5 min. */
  readonly clockSkew_ms?: number;
  /**
   * How long the first answer to a signed message is kept for replays. At least twice the clock
   * skew: a replay arriving later is refused as stale before it could have an effect. Default 24 h.
   */
  readonly replyRetention_ms?: number;
  /** Requests per client address (IPv4 address, IPv6 /64), refused with 429 before a body is read. */
  readonly rateLimit?: AgentRateLimitConfig;
  /** Routes and tables added from outside the agent (extension.ts); none by default; SQLite store only. */
  readonly extensions?: readonly AgentExtension[];
  /**
   * Secure delivery of digital goods (seed FIG 4): a product folder prepared ahead of time with
   * `npm run merchant -- prepare-products <folder>`, each product an item of the catalogue at the
   * same price; `maxAttempts` packages are sent per order before not-accepts abort it (default 3).
   */
  readonly delivery?: { readonly productsDirectory: string; readonly maxAttempts?: number };
  /**
   * The merchant's own logins to its dashboard (`${mountPath}/dashboard/`) and admin API
   * (`${mountPath}/admin/...`): each a name, a bearer token of at least 32 characters and a role
   * ('owner' may refund and edit the catalogue, 'viewer' only looks). None (the default): both are
   * off and answer 404. Refunds and catalogue edits are kept in the store, whichever kind; with a
   * PostgreSQL store an edit made through one process prices the next purchase at every other.
   */
  readonly adminLogins?: readonly AdminLogin[];
}

/** The configuration after checking: keys decoded, prices parsed, defaults filled in. */
export interface AgentSettings {
  readonly merchantId: string;
  readonly displayName: string;
  readonly operatorId: string;
  readonly operatorBaseUrl: string;
  /** Carries records to the operator: node:http(s), trusting operatorTrustedCaCertificates besides the bundled roots. */
  readonly operatorTransport: HttpTransport;
  readonly operatorPublicKey: Uint8Array;
  readonly operatorCaPublicKey: Uint8Array | null;
  readonly operatorKeyCheckInterval_ms: number;
  readonly merchantSecretKey: Uint8Array;
  readonly currency: string;
  readonly catalogue: LiveCatalogue;
  readonly store: AgentStoreSettings;
  readonly accessTokenSecret: Uint8Array;
  readonly mountPath: string;
  readonly widgetFilePath: string;
  readonly extensionInstallUrl: string | null;
  readonly clock: Clock;
  readonly logger: AgentLogger;
  readonly accessTokenLifetime_ms: number;
  readonly recordRetryBase_ms: number;
  readonly recordRetryMax_ms: number;
  readonly recordCallTimeout_ms: number;
  readonly expiryCheckInterval_ms: number;
  readonly clockSkew_ms: number;
  readonly replyRetention_ms: number;
  readonly rateLimit: AgentRateLimitSettings;
  readonly extensions: readonly AgentExtension[];
  readonly delivery: { readonly productsDirectory: string; readonly maxAttempts: number } | null;
  readonly adminLogins: readonly AdminLogin[];
}

export class MerchantAgentConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid merchant agent configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'MerchantAgentConfigError';
  }
}

export const DEFAULT_MOUNT_PATH = '/opentab';
/**
 * widget.js as published beside the bundled agent in @opentab/merchant-agent; running from this
 * repository's sources, the one `npm run build:widget` writes.
 */
const PUBLISHED_WIDGET_FILE = new URL('./widget.js', import.meta.url);
export const DEFAULT_WIDGET_FILE_PATH = fileURLToPath(
  existsSync(PUBLISHED_WIDGET_FILE) ? PUBLISHED_WIDGET_FILE : new URL('../../dist/widget/widget.js', import.meta.url),
);
const MIN_ACCESS_TOKEN_SECRET_BYTES = 32;
const ED25519_KEY_BYTES = 32;

const consoleLogger: AgentLogger = {
  warn: (message, detail) => console.warn(`[opentab merchant agent] ${message}`, detail ?? ''),
};

/** Packages sent per delivery order before a run of not-accepts aborts it. */
export const DEFAULT_DELIVERY_ATTEMPTS = 3;

// One schema checks the whole configuration and fills in the defaults. Each issue's message is
// the rest of a sentence whose subject is the setting's path ("recordRetryMax_ms" + " must be …"),
// so a merchant reads which setting is wrong and what it must be. An absent or null setting takes
// its default.

/** Input that `schema` accepts, refused with `rule` (not the schema's own words). */
const conforming = <S extends v.GenericSchema>(schema: S, rule: string) =>
  v.custom<v.InferOutput<S>>((input) => v.is(schema, input), rule);

/** Base64url text decoded into bytes, or refused with `rule`. */
const Base64urlBytes = (decode: (text: string) => Uint8Array, rule: string) =>
  v.pipe(
    v.unknown(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        if (typeof dataset.value === 'string') return decode(dataset.value);
      } catch {}
      addIssue({ message: rule });
      return NEVER;
    }),
  );

const Milliseconds = (default_ms: number) =>
  v.nullish(
    v.custom<number>(
      (value) => Number.isSafeInteger(value) && (value as number) > 0,
      'must be a positive whole number of milliseconds',
    ),
    default_ms,
  );

const OperatorPublicKey = v.pipe(
  Base64urlBytes(
    (text) => fromBase64urlOfLength(text, ED25519_KEY_BYTES),
    'must be a 32-byte Ed25519 public key in base64url',
  ),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const key = checkPublicKey(dataset.value);
    if (!key.ok) addIssue({ message: `${weakKeySentence(key.problem)}: it must be a sound Ed25519 key` });
  }),
);

const AccessTokenSecret = Base64urlBytes((text) => {
  const bytes = fromBase64url(text);
  if (bytes.length < MIN_ACCESS_TOKEN_SECRET_BYTES) throw new RangeError('too short');
  return bytes;
}, `must be at least ${MIN_ACCESS_TOKEN_SECRET_BYTES} random bytes in base64url`);

const RATE_LIMIT_RULE = `must be a whole number from 1 to ${RATE_LIMIT_MAX}`;
const RateLimitCount = v.nullish(v.custom<number>((value) => rateLimitCountIsValid(value), RATE_LIMIT_RULE));

/** `keys`: the settings an object takes, named when it is given another. */
const settingsObject = <E extends v.ObjectEntries>(entries: E, keys: string) =>
  v.strictObject(entries, (issue) => (issue.expected === 'never' ? `is not a setting (${keys})` : 'must be an object'));

const RateLimitClassSchema = v.nullish(
  settingsObject({ perClient_per_s: RateLimitCount, burst: RateLimitCount }, 'perClient_per_s, burst'),
);

const RateLimitSchema = v.pipe(
  settingsObject(
    {
      customer: RateLimitClassSchema,
      operator: RateLimitClassSchema,
      maxClients: v.nullish(
        v.custom<number>(
          (value) => Number.isSafeInteger(value) && (value as number) >= 1,
          'must be a positive whole number',
        ),
      ),
      trustedProxies: v.nullish(
        v.custom<readonly string[]>(
          (value) =>
            Array.isArray(value) &&
            value.length <= MAX_TRUSTED_PROXIES &&
            value.every((address) => typeof address === 'string' && isIP(address) !== 0),
          `must be a list of at most ${MAX_TRUSTED_PROXIES} IPv4 or IPv6 addresses`,
        ),
      ),
      clientAddress: v.nullish(
        v.custom<AgentRateLimitSettings['clientAddress']>(
          (value) => typeof value === 'function',
          'must be a function of the request',
        ),
      ),
    },
    'customer, operator, maxClients, trustedProxies, clientAddress',
  ),
  v.check(
    (limits) => limits.clientAddress == null || limits.trustedProxies == null,
    'takes trustedProxies or clientAddress, not both',
  ),
  v.transform((limits): AgentRateLimitSettings => {
    const classOf = (name: 'customer' | 'operator'): RateLimit => ({
      refill_per_s: limits[name]?.perClient_per_s ?? DEFAULT_AGENT_RATE_LIMIT[name].refill_per_s,
      burst_tokens: limits[name]?.burst ?? DEFAULT_AGENT_RATE_LIMIT[name].burst_tokens,
    });
    const proxies = limits.trustedProxies == null ? null : trustedProxySet(limits.trustedProxies);
    const clientAddress =
      limits.clientAddress ??
      (proxies === null
        ? DEFAULT_AGENT_RATE_LIMIT.clientAddress
        : (request: IncomingMessage) =>
            clientAddressOf(request.socket.remoteAddress, request.headers['x-forwarded-for'], proxies));
    return {
      customer: classOf('customer'),
      operator: classOf('operator'),
      maxClients: limits.maxClients ?? DEFAULT_AGENT_RATE_LIMIT.maxClients,
      clientAddress,
    };
  }),
);

const MerchantAgentConfigSchema = v.pipe(
  v.object(
    {
      merchantId: conforming(MerchantId, 'must be 1-64 of a-z, 0-9, _, -'),
      displayName: conforming(
        DisplayName,
        `must be 1-${DISPLAY_NAME_MAX_LENGTH} characters of plain text (no control characters or bidirectional formatting marks)`,
      ),
      operatorId: conforming(OperatorId, 'must be 1-32 of a-z, 0-9, -'),
      operatorBaseUrl: v.pipe(
        conforming(HttpUrl, 'must be an http(s) URL without credentials'),
        v.check(isSecureAddress, (issue) => `${String(issue.input)} ${SECURE_ADDRESS_RULE}`),
      ),
      operatorTrustedCaCertificates: v.nullish(
        v.custom<readonly string[]>(
          (value) => Array.isArray(value) && value.every(isPemCertificate),
          'must be a list of PEM certificates',
        ),
        [],
      ),
      operatorPublicKey: OperatorPublicKey,
      operatorCaPublicKey: v.nullish(OperatorPublicKey, null),
      operatorKeyCheckInterval_ms: Milliseconds(15 * 60 * 1000),
      merchantSecretKey: Base64urlBytes(
        (text) => fromBase64urlOfLength(text, ED25519_KEY_BYTES),
        'must be a 32-byte Ed25519 secret key in base64url',
      ),
      currency: conforming(CurrencyCode, 'must be an ISO 4217 code such as EUR'),
      // Checked entry by entry by Catalogue.fromEntries, which needs the currency to read prices in.
      catalogue: v.unknown(),
      // store and databasePath: read together by resolveStoreConfig.
      accessTokenSecret: AccessTokenSecret,
      mountPath: v.nullish(
        v.custom<string>(
          (value) => typeof value === 'string' && /^(\/[A-Za-z0-9._~-]+)+$/.test(value),
          'must look like /opentab (no trailing slash)',
        ),
        DEFAULT_MOUNT_PATH,
      ),
      widgetFilePath: v.nullish(
        v.custom<string>((value) => typeof value === 'string' && value.length > 0, 'must be a file path'),
        DEFAULT_WIDGET_FILE_PATH,
      ),
      extensionInstallUrl: v.nullish(
        v.custom<string>(isRedirectTarget, 'must be an http(s) URL or a path starting with a single /'),
        null,
      ),
      clock: v.nullish(
        v.custom<Clock>(
          (value) => typeof (value as Partial<Clock> | null)?.now_ms === 'function',
          'must have a now_ms() method',
        ),
        systemClock,
      ),
      logger: v.nullish(
        v.custom<AgentLogger>(
          (value) => typeof (value as Partial<AgentLogger> | null)?.warn === 'function',
          'must have a warn() method',
        ),
        consoleLogger,
      ),
      accessTokenLifetime_ms: Milliseconds(24 * 3600 * 1000),
      recordRetryBase_ms: Milliseconds(1000),
      recordRetryMax_ms: Milliseconds(5 * 60 * 1000),
      recordCallTimeout_ms: Milliseconds(10_000),
      expiryCheckInterval_ms: Milliseconds(1000),
      clockSkew_ms: Milliseconds(CLOCK_SKEW_MS),
      replyRetention_ms: Milliseconds(24 * 3600 * 1000),
      rateLimit: v.nullish(RateLimitSchema, {}),
      extensions: v.nullish(
        v.custom<readonly AgentExtension[]>((value) => Array.isArray(value), 'must be a list'),
        [],
      ),
      delivery: v.nullish(
        v.pipe(
          settingsObject(
            {
              productsDirectory: v.custom<string>(
                (value) => typeof value === 'string' && value.length > 0,
                'must name a prepared product folder',
              ),
              maxAttempts: v.nullish(
                v.custom<number>(
                  (value) => Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= 100,
                  'must be a whole number from 1 to 100',
                ),
                DEFAULT_DELIVERY_ATTEMPTS,
              ),
            },
            'productsDirectory, maxAttempts',
          ),
        ),
        null,
      ),
      adminLogins: v.nullish(
        v.pipe(
          v.array(
            settingsObject(
              {
                name: v.custom<string>(
                  (value) => typeof value === 'string' && /^[\p{L}\p{N} ._@-]{1,64}$/u.test(value),
                  'must be 1-64 letters, digits, spaces or . _ @ -',
                ),
                token: v.custom<string>(
                  (value) =>
                    typeof value === 'string' && value.length >= MIN_ADMIN_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(value),
                  `must be at least ${MIN_ADMIN_TOKEN_LENGTH} printable ASCII characters`,
                ),
                role: v.picklist(['owner', 'viewer'], "must be 'owner' or 'viewer'"),
              },
              'name, token, role',
            ),
            'must be a list of logins',
          ),
          v.check(
            (logins) => new Set(logins.map((login) => login.name)).size === logins.length,
            'must name each login once',
          ),
          v.check(
            (logins) => new Set(logins.map((login) => login.token)).size === logins.length,
            'must give each login its own token',
          ),
        ),
        [],
      ),
    },
    'must be an object',
  ),
  v.forward(
    v.partialCheck(
      [['recordRetryBase_ms'], ['recordRetryMax_ms']],
      (config) => config.recordRetryBase_ms <= config.recordRetryMax_ms,
      'must not exceed recordRetryMax_ms',
    ),
    ['recordRetryBase_ms'],
  ),
  v.forward(
    v.partialCheck(
      [['replyRetention_ms'], ['clockSkew_ms']],
      (config) => config.replyRetention_ms >= 2 * config.clockSkew_ms,
      'must be at least twice clockSkew_ms',
    ),
    ['replyRetention_ms'],
  ),
);

/** "rateLimit.customer.burst must be …": the setting's path, then the rest of the sentence. */
function problemOf(issue: v.BaseIssue<unknown>): string {
  return `${v.getDotPath(issue) ?? 'configuration'} ${issue.message}`;
}

export function resolveConfig(config: MerchantAgentConfig): AgentSettings {
  const parsed = v.safeParse(MerchantAgentConfigSchema, config);
  const problems = parsed.success ? [] : parsed.issues.map(problemOf);
  // The catalogue's own problems are named too, whenever there is a currency to read its prices in.
  const currency: unknown = (config as Partial<MerchantAgentConfig> | null)?.currency;
  const catalogue = v.is(CurrencyCode, currency)
    ? Catalogue.fromEntries(currency, (config as MerchantAgentConfig).catalogue)
    : null;
  if (catalogue !== null && !catalogue.ok) problems.push(...catalogue.problems);
  if (config === null || typeof config !== 'object') throw new MerchantAgentConfigError(problems);
  const given: Partial<MerchantAgentConfig> = config;
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const store = resolveStoreConfig(given.store, given.databasePath, check);
  // An extension works on the agent's SQLite connection directly (extension.ts): synchronous
  // statements inside the agent's transactions, covered by its group commit.
  check(
    store?.kind !== 'postgres' || !Array.isArray(given.extensions) || given.extensions.length === 0,
    "extensions work on the agent's SQLite file directly (synchronous statements in its transactions): they need store kind 'sqlite'",
  );
  if (!parsed.success || catalogue === null || !catalogue.ok || store === null || problems.length > 0)
    throw new MerchantAgentConfigError(problems);
  const { catalogue: _entries, operatorTrustedCaCertificates, ...settings } = parsed.output;
  return {
    ...settings,
    store,
    operatorTransport: createNodeHttpTransport({ trustedCaCertificates: operatorTrustedCaCertificates }),
    catalogue: new LiveCatalogue(catalogue.catalogue),
  };
}

function rateLimitCountIsValid(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= RATE_LIMIT_MAX;
}

function isPemCertificate(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    new X509Certificate(text);
    return true;
  } catch {
    return false;
  }
}

function isRedirectTarget(target: unknown): boolean {
  // Printable ASCII only: the value goes into a Location header.
  if (typeof target !== 'string' || !/^[\x21-\x7e]+$/.test(target)) return false;
  // "//host" (or "/\host", which browsers read alike) would lead to another site; a path must stay local.
  if (target.startsWith('/')) return !/^\/[/\\]/.test(target);
  return v.is(HttpUrl, target);
}
