import type * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MERCHANT_AGENT_API } from '../api/merchant-agent-api';
import { OPERATOR_API } from '../api/operator-api';
import { HashChain } from '../chain/hash-chain';
import { nodeCrypto } from '@opentab/test-kit';
import { seal, signerFromSecretKey, type PayloadBody } from '../envelope';
import { signedByIdentityKey, WEAK_KEY_KINDS, WEAK_KEYS } from '@opentab/test-kit';
import { EnrollRequest, Initiation, type InitiationPayload } from './customer';
import { PublicKey } from './primitives';
import { parseMessage } from './validate';

const newSigner = () => signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
const customer = newSigner();

const initiation = seal(nodeCrypto, customer, {
  type: 'initiation',
  accountId: 'acct_0123456789abcdef01234567',
  sessionId: 'op-se.1',
  merchantId: 'news',
  merchantOperatorId: 'op-eu',
  deposit: { currency: 'SEK', value: '50.00' },
  rateTableId: '0123456789abcdef0123456789abcdef',
  tabPublicKey: newSigner().kid,
  chain: {
    root: HashChain.fromSeed(nodeCrypto, nodeCrypto.randomBytes(32), 10).commitment.root,
    unit: { currency: 'EUR', value: '0.01' },
    length: 10,
  },
  timeout_s: 600,
} satisfies PayloadBody<InitiationPayload>);

function refusal(schema: v.GenericSchema, input: unknown): { code: string; details: string } | null {
  const parsed = parseMessage(schema, input);
  return parsed.ok ? null : { code: parsed.error.code, details: parsed.error.details.join('\n') };
}

describe('public keys in messages', () => {
  it('takes a sound key', () => {
    expect(refusal(PublicKey, customer.kid)).toBeNull();
    expect(refusal(Initiation, initiation)).toBeNull();
  });

  it.each(WEAK_KEY_KINDS)('refuses a %s key as weak_key, saying what is wrong with it', (kind) => {
    expect(refusal(PublicKey, WEAK_KEYS[kind])).toEqual({
      code: 'weak_key',
      details: expect.stringMatching(/^\(message\): must be a sound Ed25519 public key, but it (is|has) /),
    });
    expect(
      refusal(Initiation, { ...initiation, payload: { ...initiation.payload, tabPublicKey: WEAK_KEYS[kind] } }),
    ).toEqual({
      code: 'weak_key',
      details: expect.stringContaining('payload.tabPublicKey: must be a sound Ed25519 public key'),
    });
  });

  it('refuses an envelope whose kid is a weak key, before anyone verifies its signature', () => {
    const enrol = signedByIdentityKey({
      type: 'enroll',
      id: '0'.repeat(32),
      iat: '2026-01-01T00:00:00Z',
      code: 'ABCD-EFGH-JKLM-NPQR',
      publicKey: WEAK_KEYS.identity,
    });
    const answer = refusal(EnrollRequest, enrol);
    expect(answer?.code).toBe('weak_key');
    expect(answer?.details).toContain(
      'payload.publicKey: must be a sound Ed25519 public key, but it is a point of small order',
    );
    expect(answer?.details).toContain('kid: must be a sound Ed25519 public key');
  });

  it('leaves format problems to the format checks', () => {
    expect(refusal(PublicKey, 'short')?.code).toBe('invalid_message');
    expect(refusal(PublicKey, 'A'.repeat(42) + '=')?.code).toBe('invalid_message');
  });

  // No intake can forget the check: every field that holds an Ed25519 key, in every message any
  // route takes or answers, is the PublicKey schema itself.
  it('every key field of every route is the PublicKey schema', () => {
    const routes = { ...OPERATOR_API, ...MERCHANT_AGENT_API };
    const keyFields: string[] = [];
    const misfits: string[] = [];
    const visit = (schema: unknown, path: string, seen: Set<unknown>): void => {
      if (schema === null || typeof schema !== 'object' || seen.has(schema)) return;
      seen.add(schema);
      const node = schema as {
        entries?: Record<string, unknown>;
        item?: unknown;
        wrapped?: unknown;
        pipe?: unknown[];
        options?: unknown[];
      };
      for (const [key, entry] of Object.entries(node.entries ?? {})) {
        if (/^(kid|.*publicKey|.*PublicKey)$/.test(key)) {
          keyFields.push(`${path}.${key}`);
          if (unwrapped(entry) !== PublicKey) misfits.push(`${path}.${key}`);
        }
        visit(entry, `${path}.${key}`, seen);
      }
      for (const child of [node.item, node.wrapped, ...(node.pipe ?? []), ...(node.options ?? [])])
        visit(child, path, seen);
    };
    for (const [name, route] of Object.entries(routes)) {
      const spec = route as { request: unknown; response: unknown };
      visit(spec.request, `${name}.request`, new Set());
      visit(spec.response, `${name}.response`, new Set());
    }
    expect(keyFields.length).toBeGreaterThan(20);
    expect(misfits).toEqual([]);
  });
});

/** The schema under optional/nullable wrappers. */
function unwrapped(schema: unknown): unknown {
  let current = schema as { wrapped?: unknown; type?: string };
  while ((current.type === 'optional' || current.type === 'nullable' || current.type === 'nullish') && current.wrapped)
    current = current.wrapped as typeof current;
  return current;
}
