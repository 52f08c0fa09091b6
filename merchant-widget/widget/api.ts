// window.Opentab: the widget's only global, for pages that pay from their own code.

import type { BridgeResult } from '@opentab/protocol';
import type { MerchantInfo } from '@opentab/protocol';
import type { DeliveryOutcome, PayOutcome } from './payments';

export interface OpentabApi {
  /** Resolves with the merchant's info once prices are loaded and the extension has been looked for. */
  readonly ready: Promise<MerchantInfo>;
  /** The merchant's info from its agent; null until loaded. */
  readonly info: MerchantInfo | null;
  /**
   * Pays for one catalogue item: `{ kind: 'paid', receipt }`, or, for an entitlement bought before
   * and still open, `{ kind: 'owned', itemId, accessToken, entitledUntil }` with nothing charged.
   * Rejects with an OpentabError whose code says why not.
   */
  pay(itemId: string): Promise<PayOutcome>;
  /**
   * Buys a product the shop delivers encrypted (secure delivery): the extension shows the shop's
   * signed description, checks the package, accepts it (only that pays) and saves the file.
   * Resolves `{ kind: 'delivered', receipt, fileName }`, or `{ kind: 'aborted', itemId }` when no
   * intact package came (nothing charged); rejects with an OpentabError as pay does.
   */
  buy(itemId: string): Promise<DeliveryOutcome>;
  tabStatus(): Promise<BridgeResult<'tabStatus'>>;
  /** Closes this merchant's tab; resolves true when the extension closed one. */
  closeTab(): Promise<boolean>;
}

declare global {
  interface Window {
    Opentab?: OpentabApi;
  }
}
