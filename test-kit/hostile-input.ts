// Test support, Node only: the hostile inputs the servers' route-walking tests send (bodies no
// schema accepts, and every field of a valid message changed to something hostile, re-signed
// where the test holds the key so the change reaches past the signature check), and what every
// answer to them must look like. Never imported by production code.

import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { nodeCrypto } from '@opentab/server-kit';
import { signEnvelope, signerFromSecretKey, type Signer } from '@opentab/protocol';
import { ERROR_CATALOGUE, isErrorCode } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';

/**
 * A bound for walking one route, not an expectation of speed: a walk sends dozens of requests and
 * digests the stored tables after each, which on two cores busy with other work takes well over
 * vitest's default 30 s.
 */
export const ROUTE_WALK_BOUND_MS = 5 * 60_000;

export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
  readonly body: unknown;
}

export interface HostileRequest {
  readonly label: string;
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array<ArrayBuffer>;
}

export async function exchange(url: string, request: Omit<HostileRequest, 'label'>): Promise<HttpAnswer> {
  const response = await fetch(url, { method: request.method, headers: request.headers, body: request.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the refusal check says so
  }
  return { status: response.status, text, body };
}

/** Why this answer breaks the rule (a 5xx; a 4xx without a catalogue code of its status and a sentence), or null. */
export function answerDefect(answer: HttpAnswer, method: string): string | null {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 200)}`;
  // The answer to a HEAD has no body to carry a code.
  if (answer.status < 400 || method === 'HEAD') return null;
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (!isErrorCode(error?.code)) return `a ${answer.status} without a known error code: ${answer.text.slice(0, 200)}`;
  if (ERROR_CATALOGUE[error.code].status !== answer.status) return `${error.code} answered with ${answer.status}`;
  if (typeof error.message !== 'string' || error.message.length === 0) return `${error.code} without a sentence`;
  return null;
}

const json = (body: string): Pick<HostileRequest, 'headers' | 'body'> => ({
  headers: { 'content-type': 'application/json' },
  body,
});

/** Bodies no route accepts, whatever its schema; the last one is one byte over the route's limit. */
export function malformedBodies(maxBody_bytes: number): HostileRequest[] {
  const envelopeShape = {
    payload: { type: 'x', id: '0'.repeat(32), iat: '2020-01-01T00:00:00Z' },
    kid: 'A'.repeat(43),
    sig: 'A'.repeat(86),
  };
  const bodies: [string, string][] = [
    ['no body', ''],
    ['truncated JSON', '{"payload": {'],
    ['an array', '[]'],
    ['a number', '42'],
    ['null', 'null'],
    ['a string', '"x"'],
    ['an empty object', '{}'],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['a byte-order mark', '\ufeff{}'],
    ['a lone surrogate', '"\\ud800"'],
    ['a huge number', `1${'0'.repeat(400)}`],
    ['__proto__', '{"__proto__":{"admin":true}}'],
    ['an envelope of nothing', JSON.stringify(envelopeShape)],
  ];
  const padding = 'x'.repeat(Math.max(0, maxBody_bytes + 1 - '{"x":""}'.length));
  return [
    ...bodies.map(([label, body]) => ({ label, method: 'POST', ...json(body) })),
    {
      label: 'random bytes',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Uint8Array.from({ length: 256 }, (_, i) => (i * 167) % 256),
    },
    { label: 'text/plain', method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' },
    { label: 'no content type', method: 'POST', body: new Uint8Array([0x7b, 0x7d]) },
    { label: 'application/jsonx', method: 'POST', headers: { 'content-type': 'application/jsonx' }, body: '{}' },
    { label: 'one byte too many', method: 'POST', ...json(`{"x":"${padding}"}`) },
  ];
}

type Path = readonly (string | number)[];

/** Wrong in type, size or encoding for any field. */
const ANY_FIELD: readonly unknown[] = [null, -1, '', 'x'.repeat(300), '\ud800', []];
/** Wrong as the decimal of an amount: negative, too precise, an exponent, a sign, past 64 bits. */
const AMOUNT_VALUE = ['-0.05', '0.051', '1e3', '+1', '99999999999999999999'];
const NUMBER = [0, 1.5, 2 ** 53];
const TIMESTAMP = ['2024-13-45T99:99:99Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z'];

interface Envelope {
  readonly payload: Record<string, unknown>;
  readonly kid: string;
  readonly sig: string;
}

function isEnvelope(value: unknown): value is Envelope {
  const v = value as Envelope | null;
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof v.payload === 'object' &&
    v.payload !== null &&
    typeof v.kid === 'string' &&
    typeof v.sig === 'string'
  );
}

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((inner, key) => (inner as Record<string | number, unknown>)[key], value);
}

function setAt(value: unknown, path: Path, replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  if (rest.length > 0) copy[head] = setAt(copy[head], rest, replacement, remove);
  else if (remove) delete copy[head];
  else copy[head] = replacement;
  return copy;
}

/**
 * Every path of a message, except inside an envelope the test cannot re-sign (a CA-signed
 * operator certificate): a change there can only fail its signature, which envelopeMutations tries.
 */
function* pathsOf(value: unknown, signers: ReadonlyMap<string, Signer>, prefix: Path = []): Generator<Path> {
  yield prefix;
  if (value === null || typeof value !== 'object') return;
  if (prefix.length > 0 && isEnvelope(value) && !signers.has(value.kid)) return;
  for (const [key, item] of Object.entries(value))
    yield* pathsOf(item, signers, [...prefix, Array.isArray(value) ? Number(key) : key]);
}

/**
 * Signs every envelope the test holds the key of again (innermost first) with a fresh id and
 * iat, so that a changed field meets the receiver's checks rather than its replay guard. The
 * envelope whose kid, sig, id or iat the mutation changed keeps that change. An unsigned message
 * gets a fresh id the same way.
 */
function resign(value: unknown, signers: ReadonlyMap<string, Signer>, changed: Path, prefix: Path = []): unknown {
  if (value === null || typeof value !== 'object') return value;
  const inner = Array.isArray(value)
    ? value.map((item, i) => resign(item, signers, changed, [...prefix, i]))
    : Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, resign(item, signers, changed, [...prefix, key])]),
      );
  if (
    prefix.length === 0 &&
    !isEnvelope(inner) &&
    typeof (inner as { id?: unknown }).id === 'string' &&
    changed[0] !== 'id'
  ) {
    return { ...inner, id: newMessageId(nodeCrypto) }; // an unsigned message (a purchase) has its own id
  }
  const signer = isEnvelope(inner) ? signers.get(inner.kid) : undefined;
  if (signer === undefined) return inner;
  const within =
    changed.length > prefix.length && prefix.every((key, i) => changed[i] === key) ? changed.slice(prefix.length) : [];
  if (within[0] === 'kid' || within[0] === 'sig') return inner;
  const { payload, kid: _kid, sig: _sig, ...extra } = inner as Envelope & Record<string, unknown>;
  const header = {
    ...('id' in payload && !(within[0] === 'payload' && within[1] === 'id') ? { id: newMessageId(nodeCrypto) } : {}),
    ...('iat' in payload && !(within[0] === 'payload' && within[1] === 'iat')
      ? { iat: formatTimestamp(Date.now()) }
      : {}),
  };
  try {
    return {
      ...signEnvelope(signer, { ...payload, ...header } as Envelope['payload'] & {
        type: string;
        id: string;
        iat: string;
      }),
      ...extra,
    };
  } catch {
    return inner; // a payload canonical JSON cannot encode (a lone surrogate): sent with its old signature
  }
}

function replacementsFor(path: Path, current: unknown, parent: unknown): unknown[] {
  const key = path[path.length - 1];
  const specific =
    key === 'value' && parent !== null && typeof parent === 'object' && 'currency' in parent
      ? AMOUNT_VALUE
      : typeof current === 'number'
        ? NUMBER
        : typeof current === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(current)
          ? TIMESTAMP
          : [];
  return [...ANY_FIELD, ...specific];
}

const describeValue = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 24 ? `${text.slice(0, 21)}…` : text;
};

/** A valid message with one field deleted, one key added, or one value replaced; re-signed where possible. */
export function* fieldMutations(sample: unknown, signers: ReadonlyMap<string, Signer>): Generator<[string, unknown]> {
  for (const path of pathsOf(sample, signers)) {
    const at = path.join('.') || '(message)';
    const current = valueAt(sample, path);
    if (path.length > 0) yield [`${at} deleted`, resign(setAt(sample, path, undefined, true), signers, path)];
    if (current !== null && typeof current === 'object' && !Array.isArray(current))
      yield [
        `${at} with an extra key`,
        resign(setAt(sample, [...path, 'extra'], 1, false), signers, [...path, 'extra']),
      ];
    for (const replacement of replacementsFor(path, current, valueAt(sample, path.slice(0, -1)))) {
      yield [`${at} = ${describeValue(replacement)}`, resign(setAt(sample, path, replacement, false), signers, path)];
    }
  }
}

/**
 * Every envelope of a valid message signed wrongly: a changed signature, a stranger's or another
 * known key, an iat outside the window. The envelopes around it are signed again, so that the
 * receiver gets as far as the wrongly signed one.
 */
export function* envelopeMutations(
  sample: unknown,
  signers: ReadonlyMap<string, Signer>,
): Generator<[string, unknown]> {
  const stranger = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
  for (const path of pathsOf(sample, new Map())) {
    const envelope = valueAt(sample, path);
    if (!isEnvelope(envelope)) continue;
    const at = path.join('.') || '(message)';
    const put = (wrong: Envelope) => resign(setAt(sample, path, wrong, false), signers, [...path, 'sig']);
    const fresh = (signer: Signer, iat_ms = Date.now()) =>
      signEnvelope(signer, {
        ...envelope.payload,
        id: newMessageId(nodeCrypto),
        iat: formatTimestamp(iat_ms),
      } as Envelope['payload'] & { type: string; id: string; iat: string });
    const flipped = `${envelope.sig.slice(0, 10)}${envelope.sig[10] === 'A' ? 'B' : 'A'}${envelope.sig.slice(11)}`;
    yield [`${at} with a changed signature`, put({ ...envelope, sig: flipped })];
    yield [`${at} signed by a stranger`, put(fresh(stranger))];
    const other = [...signers.values()].find((signer) => signer.kid !== envelope.kid);
    if (other !== undefined) yield [`${at} signed by another known key`, put(fresh(other))];
    const own = signers.get(envelope.kid);
    if (own !== undefined) {
      yield [`${at} issued an hour ago`, put(fresh(own, Date.now() - 3_600_000))];
      yield [`${at} issued an hour ahead`, put(fresh(own, Date.now() + 3_600_000))];
    }
  }
}

/** Statements that read each table whole, prepared once per database (a snapshot is taken after every request). */
const tableReaders = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** One digest per table of everything in it, to tell that a refusal changed nothing. */
export function tableDigests(db: Database.Database, except: readonly string[] = []): Record<string, string> {
  let readers = tableReaders.get(db);
  if (readers === undefined) {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    readers = new Map(tables.map((name) => [name, db.prepare(`SELECT * FROM "${name}"`).raw()]));
    tableReaders.set(db, readers);
  }
  const digests: Record<string, string> = {};
  for (const [name, reader] of readers) {
    if (except.includes(name)) continue;
    const rows = reader.all();
    const text = JSON.stringify(rows, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    digests[name] = `${rows.length} rows, ${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
  }
  return digests;
}
