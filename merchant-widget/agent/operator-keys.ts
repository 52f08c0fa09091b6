// The operator's signing key across its rotations (docs/operations.md). The merchant configured one
// key; the operator may rotate it with an overlap, announcing the successor in a notice its retiring
// key signs and the CA certifies both keys of. The agent reads the notices from the operator's
// /v1/operator when a message names a key it does not know (and now and then, to learn of a
// retirement even when no new key has spoken yet), follows the chain from the configured key to
// the latest successor, believes a retiring key until its `retiresAt` and refuses it after.
// What it learned is kept in its store, so a restart neither forgets a successor nor trusts a
// retired key again.

import {
  callRoute,
  checkKeyRotation,
  type CryptoProvider,
  type Envelope,
  fromBase64urlOfLength,
  KeyRotation,
  OPERATOR_API,
  OpentabError,
  parseMessage,
  toBase64url,
  verifyEnvelope,
} from '@opentab/protocol';
import type { AgentSettings } from './config';
import type { OperatorTrustStore, StoredKeyRotation } from './store';

/** Where a key stands for the agent now. */
export type OperatorKeyStanding =
  | { readonly kind: 'believed'; readonly publicKey: Uint8Array }
  | { readonly kind: 'retired'; readonly retiredAt_ms: number }
  | { readonly kind: 'unknown' };

/** The synchronous question every signature check asks (tab-information.ts is pure). */
export interface OperatorKeyRing {
  standingOf(kid: string, now_ms: number): OperatorKeyStanding;
}

type OperatorKeySettings = Pick<
  AgentSettings,
  | 'operatorId'
  | 'operatorBaseUrl'
  | 'operatorTransport'
  | 'operatorPublicKey'
  | 'operatorCaPublicKey'
  | 'recordCallTimeout_ms'
  | 'clock'
  | 'logger'
>;

/** A key nobody announced is looked up again at most this often: a flood of made-up keys costs the operator little. */
const UNKNOWN_KEY_RECHECK_MS = 60_000;
const UNKNOWN_KEYS_REMEMBERED = 1_000;

export class OperatorKeys implements OperatorKeyRing {
  private readonly pinnedKey: string;
  private caPublicKey: string | null;
  /** Checked notices by the key they retire. */
  private readonly rotations = new Map<string, StoredKeyRotation>();
  /** The configured key, then each successor in turn. */
  private chain: string[];
  private readonly lookedUp = new Map<string, number>();
  private lookup: Promise<void> | null = null;
  private lastRefresh_ms = -Infinity;

  private constructor(
    private readonly crypto: CryptoProvider,
    private readonly store: OperatorTrustStore,
    private readonly settings: OperatorKeySettings,
  ) {
    this.pinnedKey = toBase64url(settings.operatorPublicKey);
    this.caPublicKey = settings.operatorCaPublicKey === null ? null : toBase64url(settings.operatorCaPublicKey);
    this.chain = [this.pinnedKey];
  }

  /** Loads what an earlier run learned; nothing is fetched yet. */
  static async load(
    crypto: CryptoProvider,
    store: OperatorTrustStore,
    settings: OperatorKeySettings,
  ): Promise<OperatorKeys> {
    const keys = new OperatorKeys(crypto, store, settings);
    keys.caPublicKey ??= await store.operatorCa(keys.pinnedKey);
    // Checked again on load: a row is believed for what it proves, not for being in the table.
    keys.followAll((await store.operatorKeyRotations()).map((rotation) => JSON.parse(rotation.noticeJson)));
    return keys;
  }

  /** The key the operator signs with now, as far as the agent knows. */
  get currentKey(): string {
    return this.chain.at(-1)!;
  }

  standingOf(kid: string, now_ms: number): OperatorKeyStanding {
    if (!this.chain.includes(kid)) return { kind: 'unknown' };
    const retiresAt_ms = this.rotations.get(kid)?.retiresAt_ms;
    if (retiresAt_ms !== undefined && retiresAt_ms <= now_ms) return { kind: 'retired', retiredAt_ms: retiresAt_ms };
    return { kind: 'believed', publicKey: fromBase64urlOfLength(kid, 32) };
  }

  /** True when a key of the operator believed now signed the envelope. */
  verifies(envelope: Envelope, now_ms: number): boolean {
    const standing = this.standingOf(envelope.kid, now_ms);
    return standing.kind === 'believed' && verifyEnvelope(this.crypto, envelope, standing.publicKey);
  }

  /** Throws 'key_retired' or 'bad_signature' (with `refusal`) unless a believed key signed it. */
  requireSigned(envelope: Envelope, now_ms: number, refusal: string): void {
    requireOperatorSigned(this.crypto, this, envelope, now_ms, refusal);
  }

  /**
   * Before checking messages signed by these keys: a key the agent does not know may be a
   * successor it has not heard of yet, so the operator's notices are read (at most once a minute
   * per unknown key).
   */
  async learnAbout(kids: readonly string[]): Promise<void> {
    const now_ms = this.settings.clock.now_ms();
    const unknown = kids.filter((kid) => !this.chain.includes(kid));
    const due = unknown.filter((kid) => (this.lookedUp.get(kid) ?? -Infinity) + UNKNOWN_KEY_RECHECK_MS <= now_ms);
    if (due.length === 0) return;
    for (const kid of due) {
      if (this.lookedUp.size >= UNKNOWN_KEYS_REMEMBERED) this.lookedUp.clear();
      this.lookedUp.set(kid, now_ms);
    }
    await this.refresh();
  }

  /** Reads the operator's notices once `interval_ms` has passed since the last read. */
  async refreshIfDue(interval_ms: number): Promise<void> {
    if (this.lastRefresh_ms + interval_ms <= this.settings.clock.now_ms()) await this.refresh();
  }

  /** Reads the operator's certificate and notices, and keeps what holds. One read at a time. */
  refresh(): Promise<void> {
    this.lookup ??= this.readOperator().finally(() => (this.lookup = null));
    return this.lookup;
  }

  /** Waits for a read in flight, so the store is not closed under it. */
  async settled(): Promise<void> {
    await this.lookup;
  }

  private async readOperator(): Promise<void> {
    const { settings } = this;
    const now_ms = settings.clock.now_ms();
    this.lastRefresh_ms = now_ms;
    const info = await callRoute(settings.operatorBaseUrl, OPERATOR_API.operatorInfo, undefined, {
      timeout_ms: settings.recordCallTimeout_ms,
      transport: settings.operatorTransport,
    }).catch((error: unknown) => {
      settings.logger.warn(`could not read operator ${settings.operatorId}'s keys; trying again later`, error);
      return null;
    });
    if (info === null) return;
    // The CA is learned the way a wallet learns it at enrolment: from the operator's certificate of
    // the very key the merchant configured, before any rotation could be forged with it.
    if (this.caPublicKey === null && info.certificate.payload.publicKey === this.pinnedKey)
      await this.pinCa(info.certificate.kid);
    for (const rotation of this.followAll(info.rotations ?? []))
      await this.store.keepOperatorKeyRotation(rotation, now_ms);
  }

  /** Follows every notice that holds, in whatever order they come: a chain A→B→C may be listed newest first. */
  private followAll(candidates: readonly unknown[]): StoredKeyRotation[] {
    const followed: StoredKeyRotation[] = [];
    let pending = [...candidates];
    for (let progress = true; progress && pending.length > 0; ) {
      progress = false;
      const next: unknown[] = [];
      for (const candidate of pending) {
        const rotation = this.follow(candidate);
        if (rotation === null) next.push(candidate);
        else {
          followed.push(rotation);
          progress = true;
        }
      }
      pending = next;
    }
    return followed;
  }

  private async pinCa(caPublicKey: string): Promise<void> {
    this.caPublicKey = caPublicKey;
    await this.store.pinOperatorCa(this.pinnedKey, caPublicKey, this.settings.clock.now_ms());
  }

  /** Follows a notice that holds and retires a key of the chain; null (and nothing changes) otherwise. */
  private follow(candidate: unknown): StoredKeyRotation | null {
    const parsed = parseMessage(KeyRotation, candidate);
    if (!parsed.ok) return null;
    const notice = parsed.value;
    const retiring = notice.payload.retiringCertificate;
    // Without a CA learned beforehand, the one that certified the configured key in a notice that
    // key signed itself: that is what the configured key vouches for.
    const ca = this.caPublicKey ?? (retiring.payload.publicKey === this.pinnedKey ? retiring.kid : null);
    if (ca === null) return null;
    const check = checkKeyRotation(this.crypto, fromBase64urlOfLength(ca, 32), notice);
    if (!check.ok) {
      this.settings.logger.warn(
        `a key rotation notice of operator ${this.settings.operatorId} does not hold: ${check.problem}`,
      );
      return null;
    }
    if (check.operatorId !== this.settings.operatorId || !this.chain.includes(check.retiringKey)) return null;
    const known = this.rotations.get(check.retiringKey);
    const rotation: StoredKeyRotation = {
      retiringKey: check.retiringKey,
      successorKey: known?.successorKey ?? check.successorKey,
      retiresAt_ms: Math.min(check.retiresAt_ms, known?.retiresAt_ms ?? Infinity),
      noticeJson: JSON.stringify(notice),
    };
    if (known !== undefined && known.retiresAt_ms <= rotation.retiresAt_ms) return null;
    this.rotations.set(rotation.retiringKey, rotation);
    this.caPublicKey ??= ca;
    this.chain = this.followChain();
    return rotation;
  }

  private followChain(): string[] {
    const chain = [this.pinnedKey];
    for (let next = this.rotations.get(this.pinnedKey); next !== undefined; next = this.rotations.get(chain.at(-1)!)) {
      if (chain.includes(next.successorKey)) break;
      chain.push(next.successorKey);
    }
    return chain;
  }
}

/** The operator's signature check: a retired key is refused as such, any other failure as a bad signature. */
export function requireOperatorSigned(
  crypto: CryptoProvider,
  keys: OperatorKeyRing,
  envelope: Envelope,
  now_ms: number,
  refusal: string,
): void {
  const standing = keys.standingOf(envelope.kid, now_ms);
  if (standing.kind === 'retired') throw new OpentabError('key_retired');
  if (standing.kind !== 'believed' || !verifyEnvelope(crypto, envelope, standing.publicKey))
    throw new OpentabError('bad_signature', refusal);
}
