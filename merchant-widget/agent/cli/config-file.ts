// The merchant agent as a process of its own (opentab-merchant): one JSON file says where it
// listens and everything createMerchantAgent takes, with the two secrets in files of their own
// (as the operator keeps its key) or in the environment. Paths are relative to the file.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { MerchantAgentConfig } from '../config';
import { resolveStoreConfig, type AgentStoreConfig, type AgentStoreSettings } from '../store-config';

export class MerchantConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MerchantConfigFileError';
  }
}

export interface MerchantAgentProcessConfig {
  readonly listen: { readonly host: string; readonly port: number };
  /** Everything but clock and logger, which the process supplies. */
  readonly agent: MerchantAgentConfig;
}

/** Environment variables that override the secret files. */
export const MERCHANT_SECRET_KEY_ENV = 'OPENTAB_MERCHANT_SECRET_KEY';
export const ACCESS_TOKEN_SECRET_ENV = 'OPENTAB_ACCESS_TOKEN_SECRET';

/** The MerchantAgentConfig fields a file may set as they are (createMerchantAgent checks their values). */
const AGENT_FIELDS = [
  'merchantId',
  'displayName',
  'operatorId',
  'operatorBaseUrl',
  'operatorPublicKey',
  'operatorCaPublicKey',
  'operatorKeyCheckInterval_ms',
  'currency',
  'catalogue',
  'mountPath',
  'extensionInstallUrl',
  'accessTokenLifetime_ms',
  'recordRetryBase_ms',
  'recordRetryMax_ms',
  'recordCallTimeout_ms',
  'expiryCheckInterval_ms',
  'clockSkew_ms',
  'replyRetention_ms',
  'rateLimit',
  'delivery',
  'adminLogins',
] as const;
/** Fields naming files, read relative to the configuration file. */
const PATH_FIELDS = ['databasePath', 'widgetFilePath', 'merchantSecretKeyFile', 'accessTokenSecretFile'] as const;
const KNOWN_FIELDS: ReadonlySet<string> = new Set<string>(['listen', 'store', ...AGENT_FIELDS, ...PATH_FIELDS]);

function readConfigObject(path: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MerchantConfigFileError(`cannot read merchant agent configuration ${path}: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new MerchantConfigFileError(`${path} must hold a JSON object`);
  return raw as Record<string, unknown>;
}

/** The agent's SQLite file alone, for tools that read it (the audit) and need none of the secrets. */
export function merchantDatabasePath(path: string): string {
  const databasePath = readConfigObject(path).databasePath;
  if (typeof databasePath !== 'string' || databasePath === '')
    throw new MerchantConfigFileError(`${path}: databasePath is required`);
  return isAbsolute(databasePath) ? databasePath : resolve(dirname(resolve(path)), databasePath);
}

/** The agent's store alone (`store`, or `databasePath`), for tools that read it (the audit) and need none of the secrets. */
export function merchantStoreSettings(path: string): AgentStoreSettings {
  const file = readConfigObject(path);
  const base = dirname(resolve(path));
  const databasePath = file.databasePath;
  const problems: string[] = [];
  const store = resolveStoreConfig(
    storeOf(file.store, base) as AgentStoreConfig | undefined,
    typeof databasePath === 'string' && databasePath !== '' && !isAbsolute(databasePath)
      ? resolve(base, databasePath)
      : (databasePath as string | undefined),
    (ok, problem) => {
      if (!ok) problems.push(problem);
    },
  );
  if (store === null) throw new MerchantConfigFileError(`${path}: ${problems.join('; ')}`);
  return store;
}

export function loadMerchantConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): MerchantAgentProcessConfig {
  const file = readConfigObject(path);
  const unknown = Object.keys(file).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) throw new MerchantConfigFileError(`${path}: unknown settings ${unknown.join(', ')}`);

  const base = dirname(resolve(path));
  const fileAt = (field: (typeof PATH_FIELDS)[number]): string | undefined => {
    const value = file[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '')
      throw new MerchantConfigFileError(`${path}: ${field} must name a file`);
    return isAbsolute(value) ? value : resolve(base, value);
  };
  const secret = (envName: string, field: 'merchantSecretKeyFile' | 'accessTokenSecretFile'): string => {
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv.trim();
    const secretPath = fileAt(field);
    if (secretPath === undefined) throw new MerchantConfigFileError(`${path}: ${field} is required (or ${envName})`);
    try {
      return readFileSync(secretPath, 'utf8').trim();
    } catch (error) {
      throw new MerchantConfigFileError(`cannot read ${field} ${secretPath}: ${(error as Error).message}`);
    }
  };

  const databasePath = fileAt('databasePath');
  const store = storeOf(file.store, base);
  if (databasePath === undefined && store === undefined)
    throw new MerchantConfigFileError(`${path}: databasePath (or store) is required`);
  const widgetFilePath = fileAt('widgetFilePath');
  const agent = {
    ...Object.fromEntries(
      AGENT_FIELDS.filter((field) => file[field] !== undefined).map((field) => [field, file[field]]),
    ),
    ...(databasePath !== undefined ? { databasePath } : {}),
    ...(store !== undefined ? { store } : {}),
    ...(widgetFilePath !== undefined ? { widgetFilePath } : {}),
    ...deliveryOf(file.delivery, base),
    merchantSecretKey: secret(MERCHANT_SECRET_KEY_ENV, 'merchantSecretKeyFile'),
    accessTokenSecret: secret(ACCESS_TOKEN_SECRET_ENV, 'accessTokenSecretFile'),
  } as unknown as MerchantAgentConfig;
  return { listen: listenOf(file.listen, path), agent };
}

/** `delivery` as written, with its product folder read relative to the configuration file like every path. */
function deliveryOf(value: unknown, base: string): { delivery?: unknown } {
  if (value === undefined) return {};
  const delivery = value as { productsDirectory?: unknown };
  const folder = delivery?.productsDirectory;
  if (typeof folder !== 'string' || folder === '') return { delivery: value };
  return { delivery: { ...delivery, productsDirectory: isAbsolute(folder) ? folder : resolve(base, folder) } };
}

/** `store` as written, with a SQLite path made relative to the file; createMerchantAgent checks the rest. */
function storeOf(value: unknown, base: string): unknown {
  if (value === undefined) return undefined;
  const store = value as { kind?: unknown; path?: unknown };
  if (store?.kind === 'sqlite' && typeof store.path === 'string' && store.path !== '' && !isAbsolute(store.path))
    return { ...store, path: resolve(base, store.path) };
  return value;
}

function listenOf(value: unknown, path: string): MerchantAgentProcessConfig['listen'] {
  const listen = value as { host?: unknown; port?: unknown } | undefined;
  const host = listen?.host ?? '127.0.0.1';
  const port = listen?.port;
  if (
    typeof host !== 'string' ||
    host === '' ||
    typeof port !== 'number' ||
    !Number.isSafeInteger(port) ||
    port < 0 ||
    port > 65535
  ) {
    throw new MerchantConfigFileError(`${path}: listen must be {"host": "127.0.0.1", "port": 0-65535}`);
  }
  return { host, port };
}
