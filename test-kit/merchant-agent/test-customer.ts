// The customer's side of a tab, for tests: a tab key, a hash chain, and purchases, receipts
// requests and terminations built the way the extension builds them.

import { HashChain } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { seal, signerFromSecretKey, type PayloadBody, type Signer } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import type { Purchase, ReceiptsRequest, ReceiptsRequestPayload, Terminate, TerminatePayload } from '@opentab/protocol';
import type { WireAmount } from '@opentab/protocol';

export class TestCustomer {
  readonly tabSigner: Signer;
  readonly chain: HashChain;
  /** The tab's purchase-list key, sent with every purchase. */
  readonly listKey: string;
  /** Purchases accepted so far and the chain index they reached. */
  paidCount = 0;
  paidIndex = 0;

  constructor(chainLength: number) {
    this.tabSigner = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    this.chain = HashChain.fromSeed(nodeCrypto, nodeCrypto.randomBytes(32), chainLength);
    this.listKey = toBase64url(nodeCrypto.randomBytes(32));
  }

  get tabPublicKey(): string {
    return this.tabSigner.kid;
  }

  /** The next purchase: seq and chain index follow what was paid; `overrides` falsify any field. */
  purchase(
    tabId: string,
    itemId: string,
    price: WireAmount,
    units: number,
    overrides: Partial<Purchase> = {},
  ): Purchase {
    const chainIndex = overrides.chainIndex ?? this.paidIndex + units;
    return {
      type: 'purchase',
      id: newMessageId(nodeCrypto),
      tabId,
      seq: this.paidCount + 1,
      itemId,
      price,
      chainIndex,
      chainLink: this.chain.encodedLinkAt(Math.min(chainIndex, this.chain.length)),
      listKey: this.listKey,
      ...overrides,
    };
  }

  /** Records that the merchant accepted `purchase`. */
  paid(purchase: Purchase): void {
    this.paidCount = purchase.seq;
    this.paidIndex = purchase.chainIndex;
  }

  receiptsRequest(
    tabId: string,
    afterSeq: number,
    signer: Signer = this.tabSigner,
    now_ms: number = Date.now(),
  ): ReceiptsRequest {
    return seal(
      nodeCrypto,
      signer,
      { type: 'receipts-request', tabId, afterSeq } satisfies PayloadBody<ReceiptsRequestPayload>,
      now_ms,
    );
  }

  terminate(tabId: string, signer: Signer = this.tabSigner, now_ms: number = Date.now()): Terminate {
    return seal(nodeCrypto, signer, { type: 'terminate', tabId } satisfies PayloadBody<TerminatePayload>, now_ms);
  }
}
