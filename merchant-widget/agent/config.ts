// The merchant's configuration, checked once at startup: every mistake is reported together in
// one MerchantAgentConfigError, so a merchant never learns of a bad key from a failed purchase.

import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import type { AgentExtension } from './extension';
import { resolveStoreConfig, type AgentStoreConfig, type AgentStoreSettings } from './store-config';
import type { HttpTransport } from '@opentab/protocol';
import { checkPublicKey, weakKeySentence } from '@opentab/protocol';
import { fromBase64url, fromBase64urlOfLength } from '@opentab/protocol';
import { CurrencyCode, DISPLAY_NAME_MAX_LENGTH, DisplayName, HttpUrl, MerchantId, OperatorId } from '@opentab/protocol';
import { insecureAddressProblem } from '@opentab/protocol';
import { MAX_TRUSTED_PROXIES, clientAddressOf, trustedProxySet } from '@opentab/server-kit';
import { createNodeHttpTransport } from '@opentab/server-kit';
import { rateLimitProblem, type RateLimit } from '@opentab/server-kit';
import { CLOCK_SKEW_MS } from '@opentab/protocol';
import { Catalogue, type CatalogueEntry } from './catalogue';

export interface Clock {
  now_ms(): number;
}

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
  /** The operator's Ed25519 public key, base64url: it signs tab information, clearings and record acks. */
  readonly operatorPublicKey: string;
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
  /** How often the agent stops tabs past their timeout and forgets replies past their retention. Default 1 s. */
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
  /** Routes and tables added from outside the agent (extension.ts); none by default. */
  readonly extensions?: readonly AgentExtension[];
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
  readonly merchantSecretKey: Uint8Array;
  readonly currency: string;
  readonly catalogue: Catalogue;
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

const DEFAULT_DURATIONS_MS = {
  accessTokenLifetime_ms: 24 * 3600 * 1000,
  recordRetryBase_ms: 1000,
  recordRetryMax_ms: 5 * 60 * 1000,
  recordCallTimeout_ms: 10_000,
  expiryCheckInterval_ms: 1000,
  clockSkew_ms: CLOCK_SKEW_MS,
  replyRetention_ms: 24 * 3600 * 1000,
} as const;
type DurationName = keyof typeof DEFAULT_DURATIONS_MS;

const systemClock: Clock = { now_ms: () => Date.now() };
const consoleLogger: AgentLogger = {
  warn: (message, detail) => console.warn(`[opentab merchant agent] ${message}`, detail ?? ''),
};

export function resolveConfig(config: MerchantAgentConfig): AgentSettings {
  if (config === null || typeof config !== 'object')
    throw new MerchantAgentConfigError(['configuration must be an object']);
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };

  check(v.is(MerchantId, config.merchantId), 'merchantId must be 1-64 of a-z, 0-9, _, -');
  check(
    v.is(DisplayName, config.displayName),
    `displayName must be 1-${DISPLAY_NAME_MAX_LENGTH} characters of plain text (no control characters or bidirectional formatting marks)`,
  );
  check(v.is(OperatorId, config.operatorId), 'operatorId must be 1-32 of a-z, 0-9, -');
  const operatorUrlProblem = v.is(HttpUrl, config.operatorBaseUrl)
    ? insecureAddressProblem('operatorBaseUrl', config.operatorBaseUrl)
    : 'operatorBaseUrl must be an http(s) URL without credentials';
  if (operatorUrlProblem !== null) problems.push(operatorUrlProblem);
  const trustedCas = config.operatorTrustedCaCertificates ?? [];
  check(
    Array.isArray(trustedCas) && trustedCas.every(isPemCertificate),
    'operatorTrustedCaCertificates must be a list of PEM certificates',
  );
  check(v.is(CurrencyCode, config.currency), 'currency must be an ISO 4217 code such as EUR');
  const store = resolveStoreConfig(config.store, config.databasePath, check);

  const operatorPublicKey = decodeKey(config.operatorPublicKey, ED25519_KEY_BYTES);
  check(operatorPublicKey !== null, 'operatorPublicKey must be a 32-byte Ed25519 public key in base64url');
  const operatorKey = operatorPublicKey && checkPublicKey(operatorPublicKey);
  if (operatorKey && !operatorKey.ok)
    problems.push(`operatorPublicKey ${weakKeySentence(operatorKey.problem)}: it must be a sound Ed25519 key`);
  const merchantSecretKey = decodeKey(config.merchantSecretKey, ED25519_KEY_BYTES);
  check(merchantSecretKey !== null, 'merchantSecretKey must be a 32-byte Ed25519 secret key in base64url');
  const accessTokenSecret = decodeSecret(config.accessTokenSecret);
  check(
    accessTokenSecret !== null,
    `accessTokenSecret must be at least ${MIN_ACCESS_TOKEN_SECRET_BYTES} random bytes in base64url`,
  );

  const mountPath = config.mountPath ?? DEFAULT_MOUNT_PATH;
  check(/^(\/[A-Za-z0-9._~-]+)+$/.test(mountPath), 'mountPath must look like /opentab (no trailing slash)');
  const widgetFilePath = config.widgetFilePath ?? DEFAULT_WIDGET_FILE_PATH;
  check(typeof widgetFilePath === 'string' && widgetFilePath.length > 0, 'widgetFilePath must be a file path');
  const extensionInstallUrl = config.extensionInstallUrl ?? null;
  check(
    extensionInstallUrl === null || isRedirectTarget(extensionInstallUrl),
    'extensionInstallUrl must be an http(s) URL or a path starting with a single /',
  );
  check(config.clock === undefined || typeof config.clock?.now_ms === 'function', 'clock must have a now_ms() method');
  check(config.logger === undefined || typeof config.logger?.warn === 'function', 'logger must have a warn() method');
  const extensions = config.extensions ?? [];
  check(Array.isArray(extensions), 'extensions must be a list');
  check(
    store?.kind !== 'postgres' || !Array.isArray(extensions) || extensions.length === 0,
    "extensions keep their tables in the agent's SQLite file: they need store kind 'sqlite'",
  );

  const durations = {} as Record<DurationName, number>;
  for (const name of Object.keys(DEFAULT_DURATIONS_MS) as DurationName[]) {
    const value = config[name] ?? DEFAULT_DURATIONS_MS[name];
    check(Number.isSafeInteger(value) && value > 0, `${name} must be a positive whole number of milliseconds`);
    durations[name] = value;
  }
  check(
    durations.recordRetryBase_ms <= durations.recordRetryMax_ms,
    'recordRetryBase_ms must not exceed recordRetryMax_ms',
  );
  check(
    durations.replyRetention_ms >= 2 * durations.clockSkew_ms,
    'replyRetention_ms must be at least twice clockSkew_ms',
  );

  const rateLimit = resolveRateLimit(config.rateLimit, check);

  let catalogue: Catalogue | null = null;
  if (v.is(CurrencyCode, config.currency)) {
    const built = Catalogue.fromEntries(config.currency, config.catalogue);
    if (built.ok) catalogue = built.catalogue;
    else problems.push(...built.problems);
  }

  if (
    problems.length > 0 ||
    catalogue === null ||
    store === null ||
    operatorPublicKey === null ||
    merchantSecretKey === null ||
    accessTokenSecret === null
  ) {
    throw new MerchantAgentConfigError(problems);
  }
  return {
    merchantId: config.merchantId,
    displayName: config.displayName,
    operatorId: config.operatorId,
    operatorBaseUrl: config.operatorBaseUrl,
    operatorTransport: createNodeHttpTransport({ trustedCaCertificates: trustedCas }),
    operatorPublicKey,
    merchantSecretKey,
    currency: config.currency,
    catalogue,
    store,
    accessTokenSecret,
    mountPath,
    widgetFilePath,
    extensionInstallUrl,
    clock: config.clock ?? systemClock,
    logger: config.logger ?? consoleLogger,
    ...durations,
    rateLimit,
    extensions,
  };
}

function resolveRateLimit(
  config: AgentRateLimitConfig | undefined,
  check: (ok: boolean, problem: string) => void,
): AgentRateLimitSettings {
  if (config === undefined) return DEFAULT_AGENT_RATE_LIMIT;
  if (config === null || typeof config !== 'object') {
    check(false, 'rateLimit must be an object');
    return DEFAULT_AGENT_RATE_LIMIT;
  }
  const known = new Set(['customer', 'operator', 'maxClients', 'trustedProxies', 'clientAddress']);
  for (const key of Object.keys(config))
    check(
      known.has(key),
      `rateLimit.${key} is not a setting (customer, operator, maxClients, trustedProxies, clientAddress)`,
    );
  const classOf = (name: 'customer' | 'operator'): RateLimit => {
    const given = config[name] ?? {};
    check(typeof given === 'object' && given !== null, `rateLimit.${name} must be an object`);
    const fallback = DEFAULT_AGENT_RATE_LIMIT[name];
    const limit = {
      refill_per_s: given.perClient_per_s ?? fallback.refill_per_s,
      burst_tokens: given.burst ?? fallback.burst_tokens,
    };
    check(
      Object.keys(given).every((key) => key === 'perClient_per_s' || key === 'burst'),
      `rateLimit.${name} takes only perClient_per_s and burst`,
    );
    const problem = rateLimitProblem(limit);
    check(
      problem === null,
      `rateLimit.${name}: ${problem?.replace('refill_per_s', 'perClient_per_s').replace('burst_tokens', 'burst')}`,
    );
    return limit;
  };
  const maxClients = config.maxClients ?? DEFAULT_AGENT_RATE_LIMIT.maxClients;
  check(Number.isSafeInteger(maxClients) && maxClients >= 1, 'rateLimit.maxClients must be a positive whole number');
  const clientAddress =
    config.clientAddress ?? behindProxies(config.trustedProxies, check) ?? DEFAULT_AGENT_RATE_LIMIT.clientAddress;
  check(typeof clientAddress === 'function', 'rateLimit.clientAddress must be a function of the request');
  check(
    config.clientAddress === undefined || config.trustedProxies === undefined,
    'rateLimit takes trustedProxies or clientAddress, not both',
  );
  return { customer: classOf('customer'), operator: classOf('operator'), maxClients, clientAddress };
}

function behindProxies(
  trustedProxies: unknown,
  check: (ok: boolean, problem: string) => void,
): AgentRateLimitSettings['clientAddress'] | undefined {
  if (trustedProxies === undefined) return undefined;
  const valid =
    Array.isArray(trustedProxies) &&
    trustedProxies.length <= MAX_TRUSTED_PROXIES &&
    trustedProxies.every((address) => typeof address === 'string' && isIP(address) !== 0);
  check(valid, `rateLimit.trustedProxies must be a list of at most ${MAX_TRUSTED_PROXIES} IPv4 or IPv6 addresses`);
  if (!valid) return undefined;
  const proxies = trustedProxySet(trustedProxies as string[]);
  return (request) => clientAddressOf(request.socket.remoteAddress, request.headers['x-forwarded-for'], proxies);
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

function decodeKey(text: unknown, byteLength: number): Uint8Array | null {
  if (typeof text !== 'string') return null;
  try {
    return fromBase64urlOfLength(text, byteLength);
  } catch {
    return null;
  }
}

function decodeSecret(text: unknown): Uint8Array | null {
  if (typeof text !== 'string') return null;
  try {
    const bytes = fromBase64url(text);
    return bytes.length >= MIN_ACCESS_TOKEN_SECRET_BYTES ? bytes : null;
  } catch {
    return null;
  }
}
