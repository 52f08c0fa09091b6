// Case 1: what the merchant agent spends to believe one purchase. With a tab it checks a
// hash-chain link (k SHA-256 steps, protocol checkLink); without one it would have to verify an
// Ed25519 signature over the purchase (canonical JSON + verify, protocol verifyEnvelope).
// k = price ÷ chain unit. The headline is the bench merchant's five-cent article at the unit that
// merchant publishes (the gcd of its catalogue: 5 cents, so k = 1); the same purchase at one cent
// a link (k = 5, the unit every tab had before merchants published theirs) is measured beside it.
// One thread, so every figure is per core.

import { checkLink, HashChain } from '@opentab/protocol';
import { nobleCrypto } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import type { CryptoProvider } from '@opentab/protocol';
import { fromBase64url } from '@opentab/protocol';
import { seal, signerFromSecretKey, verifyEnvelope, type Envelope } from '@opentab/protocol';
import { atLeast, metric, type CaseResult } from '../report';
import { ARTICLE_PRICE, ARTICLE_STEPS, ARTICLE_STEPS_AT_ONE_MINOR_UNIT, BENCH_CHAIN_UNIT } from '../support/catalogue';
import { operationsPerCpuSecond } from '../support/loops';

const CHAIN_LENGTH = 20_000;
/** Distinct purchases cycled through, so no check sees the same input twice in a row. */
const DISTINCT_PURCHASES = 1_000;
/** Tab keys in use at once; node:crypto caches one KeyObject per key, as the agent would. */
const TAB_KEYS = 16;
/**
 * The four measurements take turns this many times and each reports its median: other load on
 * the machine then disturbs all four alike instead of whichever happened to run during a burst.
 */
const ROUNDS = 5;

export interface VerifyOptions {
  /** Total measuring time of each of the four figures. */
  readonly measure_ms: number;
  /** Interleaved rounds (default 5); each measures for measure_ms / rounds, at least 200 ms. */
  readonly rounds?: number;
}

interface LinkCase {
  readonly known: { index: number; link: Uint8Array };
  readonly next: { index: number; link: string };
}

/** Consecutive purchases of `steps` links each along one chain. */
function linkCases(steps: number): LinkCase[] {
  if (DISTINCT_PURCHASES * steps > CHAIN_LENGTH)
    throw new Error(
      `verify: a chain of ${CHAIN_LENGTH} links cannot carry ${DISTINCT_PURCHASES} purchases of ${steps}`,
    );
  const chain = HashChain.fromSeed(nodeCrypto, nodeCrypto.randomBytes(32), CHAIN_LENGTH);
  return Array.from({ length: DISTINCT_PURCHASES }, (_, i) => {
    const index = i * steps;
    return {
      known: { index, link: chain.linkAt(index) },
      next: { index: index + steps, link: chain.encodedLinkAt(index + steps) },
    };
  });
}

function linkCheck(links: readonly LinkCase[], steps: number): (i: number) => void {
  return (i) => {
    const { known, next } = links[i % links.length]!;
    if (!checkLink(nodeCrypto, known, next, CHAIN_LENGTH, steps).ok) throw new Error('a genuine link did not verify');
  };
}

interface SignedPurchase {
  readonly envelope: Envelope;
  readonly publicKey: Uint8Array;
}

/** The purchase message as it would travel if each one were signed by the tab key instead of paid with a link. */
function signedPurchases(links: readonly LinkCase[]): SignedPurchase[] {
  const signers = Array.from({ length: TAB_KEYS }, () =>
    signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey()),
  );
  return links.map((link, i) => {
    const signer = signers[i % TAB_KEYS]!;
    const envelope = seal(nodeCrypto, signer, {
      type: 'purchase',
      tabId: 'tab_0123456789abcdef01234567',
      seq: i + 1,
      itemId: 'article-42',
      price: ARTICLE_PRICE,
      chainIndex: link.next.index,
      chainLink: link.next.link,
      listKey: link.next.link,
    });
    return { envelope, publicKey: fromBase64url(signer.kid) };
  });
}

function signatureCheck(crypto: CryptoProvider, purchases: readonly SignedPurchase[]): (i: number) => void {
  return (i) => {
    const purchase = purchases[i % purchases.length]!;
    if (!verifyEnvelope(crypto, purchase.envelope, purchase.publicKey))
      throw new Error('a genuine signature did not verify');
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function runVerifyCase(options: VerifyOptions): CaseResult {
  const atMerchantUnit = linkCases(ARTICLE_STEPS);
  const atCentUnit = linkCases(ARTICLE_STEPS_AT_ONE_MINOR_UNIT);
  const purchases = signedPurchases(atMerchantUnit);
  const checks = {
    hashChain: linkCheck(atMerchantUnit, ARTICLE_STEPS),
    hashChainCentUnit: linkCheck(atCentUnit, ARTICLE_STEPS_AT_ONE_MINOR_UNIT),
    node: signatureCheck(nodeCrypto, purchases),
    noble: signatureCheck(nobleCrypto, purchases),
  };
  const kinds = ['hashChain', 'hashChainCentUnit', 'node', 'noble'] as const;
  const rates = {
    hashChain: [] as number[],
    hashChainCentUnit: [] as number[],
    node: [] as number[],
    noble: [] as number[],
  };
  const rounds = options.rounds ?? ROUNDS;
  for (let round = 0; round < rounds; round++) {
    for (const kind of kinds) rates[kind].push(operationsPerCpuSecond(checks[kind], options.measure_ms / rounds));
  }
  const hashChainPerSecond = median(rates.hashChain);
  const hashChainCentUnitPerSecond = median(rates.hashChainCentUnit);
  const nodePerSecond = median(rates.node);
  const noblePerSecond = median(rates.noble);
  const price = `${ARTICLE_PRICE.value} ${ARTICLE_PRICE.currency}`;
  return {
    name: 'verify',
    metrics: [
      metric('verify.k_steps', ARTICLE_STEPS),
      metric('verify.k_steps_cent_unit', ARTICLE_STEPS_AT_ONE_MINOR_UNIT),
      metric('verify.hash_chain_per_s', hashChainPerSecond),
      metric('verify.hash_chain_cent_unit_per_s', hashChainCentUnitPerSecond),
      metric('verify.ed25519_node_per_s', nodePerSecond),
      metric('verify.ed25519_noble_per_s', noblePerSecond),
      metric('verify.ratio_hash_vs_sig', hashChainPerSecond / nodePerSecond, atLeast(50)),
      metric('verify.ratio_hash_vs_sig_cent_unit', hashChainCentUnitPerSecond / nodePerSecond),
      metric('verify.ratio_hash_vs_noble', hashChainPerSecond / noblePerSecond),
    ],
    notes: [
      `a ${price} purchase at the bench merchant's chain unit of ${BENCH_CHAIN_UNIT.value} ${BENCH_CHAIN_UNIT.currency} (the gcd of its catalogue): k = ${ARTICLE_STEPS}; *_cent_unit: the same purchase at one minor unit a link, k = ${ARTICLE_STEPS_AT_ONE_MINOR_UNIT}`,
      `one thread, operations per CPU second (per core), median of ${rounds} interleaved rounds; a signed purchase is verified as the agent verifies any envelope (RFC 8785 JSON + Ed25519), ${TAB_KEYS} tab keys`,
    ],
  };
}
