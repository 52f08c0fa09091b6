// Case 1: what the merchant agent spends to believe one purchase. With a tab it checks a
// hash-chain link (k SHA-256 steps, protocol checkLink); without one it would have to verify an
// Ed25519 signature over the purchase (canonical JSON + verify, protocol verifyEnvelope).
// One thread, so every figure is per core.

import { checkLink, HashChain } from '../../protocol/chain/hash-chain';
import { nobleCrypto } from '../../protocol/crypto/noble';
import { nodeCrypto } from '../../protocol/crypto/node';
import type { CryptoProvider } from '../../protocol/crypto/provider';
import { fromBase64url } from '../../protocol/encoding/base64url';
import { seal, signerFromSecretKey, verifyEnvelope, type Envelope } from '../../protocol/envelope';
import { atLeast, metric, type CaseResult } from '../report';
import { operationsPerSecond } from '../support/loops';

/** A 5-cent purchase: the chain unit is one merchant minor unit, so the link lies 5 hashes further. */
export const PURCHASE_STEPS = 5;
const CHAIN_LENGTH = 20_000;
/** Distinct purchases cycled through, so no check sees the same input twice in a row. */
const DISTINCT_PURCHASES = 1_000;
/** Tab keys in use at once; node:crypto caches one KeyObject per key, as the agent would. */
const TAB_KEYS = 16;
/**
 * The three measurements take turns this many times and each reports its median: other load on
 * the machine then disturbs all three alike instead of whichever happened to run during a burst.
 */
const ROUNDS = 5;

export interface VerifyOptions {
  /** Total measuring time of each of the three figures. */
  readonly measure_ms: number;
}

interface LinkCase {
  readonly known: { index: number; link: Uint8Array };
  readonly next: { index: number; link: string };
}

function linkCases(): LinkCase[] {
  const chain = HashChain.fromSeed(nodeCrypto, nodeCrypto.randomBytes(32), CHAIN_LENGTH);
  return Array.from({ length: DISTINCT_PURCHASES }, (_, i) => {
    const index = i * PURCHASE_STEPS;
    return { known: { index, link: chain.linkAt(index) }, next: { index: index + PURCHASE_STEPS, link: chain.encodedLinkAt(index + PURCHASE_STEPS) } };
  });
}

interface SignedPurchase {
  readonly envelope: Envelope;
  readonly publicKey: Uint8Array;
}

/** The purchase message as it would travel if each one were signed by the tab key instead of paid with a link. */
function signedPurchases(links: readonly LinkCase[]): SignedPurchase[] {
  const signers = Array.from({ length: TAB_KEYS }, () => signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey()));
  return links.map((link, i) => {
    const signer = signers[i % TAB_KEYS]!;
    const envelope = seal(nodeCrypto, signer, {
      type: 'purchase', tabId: 'tab_0123456789abcdef01234567', seq: i + 1, itemId: 'article-42',
      price: { currency: 'EUR', value: '0.05' }, chainIndex: link.next.index, chainLink: link.next.link,
    });
    return { envelope, publicKey: fromBase64url(signer.kid) };
  });
}

function signatureCheck(crypto: CryptoProvider, purchases: readonly SignedPurchase[]): (i: number) => void {
  return (i) => {
    const purchase = purchases[i % purchases.length]!;
    if (!verifyEnvelope(crypto, purchase.envelope, purchase.publicKey)) throw new Error('a genuine signature did not verify');
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function runVerifyCase(options: VerifyOptions): CaseResult {
  const links = linkCases();
  const purchases = signedPurchases(links);
  const checks = {
    hashChain: (i: number) => {
      const { known, next } = links[i % links.length]!;
      if (!checkLink(nodeCrypto, known, next, CHAIN_LENGTH, PURCHASE_STEPS).ok) throw new Error('a genuine link did not verify');
    },
    node: signatureCheck(nodeCrypto, purchases),
    noble: signatureCheck(nobleCrypto, purchases),
  };
  const rates = { hashChain: [] as number[], node: [] as number[], noble: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of ['hashChain', 'node', 'noble'] as const) rates[kind].push(operationsPerSecond(checks[kind], options.measure_ms / ROUNDS));
  }
  const hashChainPerSecond = median(rates.hashChain);
  const nodePerSecond = median(rates.node);
  const noblePerSecond = median(rates.noble);
  return {
    name: 'verify',
    metrics: [
      metric('verify.k_steps', PURCHASE_STEPS),
      metric('verify.hash_chain_per_s', hashChainPerSecond),
      metric('verify.ed25519_node_per_s', nodePerSecond),
      metric('verify.ed25519_noble_per_s', noblePerSecond),
      metric('verify.ratio_hash_vs_sig', hashChainPerSecond / nodePerSecond, atLeast(50)),
      metric('verify.ratio_hash_vs_noble', hashChainPerSecond / noblePerSecond),
    ],
    notes: [`one thread, median of ${ROUNDS} interleaved rounds; a signed purchase is verified as the agent verifies any envelope (RFC 8785 JSON + Ed25519), ${TAB_KEYS} tab keys`],
  };
}
