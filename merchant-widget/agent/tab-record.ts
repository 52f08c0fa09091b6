// What the agent knows about one tab. Amounts are bigint minor units of the merchant's currency;
// they become decimal strings only on the wire.

import type { StopReason } from '@opentab/protocol';
import type { ClearingOutcome } from '@opentab/protocol';

export type { StopReason, ClearingOutcome };

/**
 * open → stopped (no more purchases; the merchant record is on its way to the MTA) → cleared
 * (the MTA reported what was credited). A clearing that finds the tab still open stops it first,
 * so its record still goes out; only a void (the tab never opened at the MTA) clears an open tab
 * without a record. docs/state-machines.md has the whole table.
 */
export type TabLifecycle =
  | { readonly status: 'open' }
  | { readonly status: 'stopped'; readonly reason: StopReason; readonly stoppedAt_ms: number }
  | {
      readonly status: 'cleared';
      readonly reason: StopReason | null;
      readonly stoppedAt_ms: number | null;
      readonly cleared_minor: bigint;
      readonly outcome: ClearingOutcome;
      readonly clearedAt_ms: number;
      /** 0 for the first clearing; a correction by a late record raises it. */
      readonly revision: number;
    };

export type TabStatus = TabLifecycle['status'];

export interface TabRecord {
  readonly tabId: string;
  /** Id of the MTA's tab-information message that opened the tab. */
  readonly informationId: string;
  readonly pseudonym: string;
  /** base64url Ed25519 key from the customer certificate; it alone may terminate the tab. */
  readonly tabPublicKey: string;
  readonly currency: string;
  readonly deposit_minor: bigint;
  readonly spent_minor: bigint;
  /** Merchant-currency value of one hash-chain link. */
  readonly chainUnit_minor: bigint;
  readonly chainLength: number;
  /** base64url link 0, committed in the signed initiation: what any chain proof of this tab hashes to. */
  readonly chainRoot: string;
  /** Highest chain index paid so far (0 = nothing paid) and its link (the root while nothing is paid). */
  readonly lastChainIndex: number;
  readonly lastChainLink: string;
  readonly purchaseCount: number;
  /**
   * base64url key of the purchase-list hash, as the first purchase accepted on the tab named it;
   * null until then. Every later purchase must name the same one.
   */
  readonly listKey: string | null;
  readonly openedAt_ms: number;
  readonly expiresAt_ms: number;
  readonly lifecycle: TabLifecycle;
}

export function remainingOf(tab: TabRecord): bigint {
  return tab.deposit_minor - tab.spent_minor;
}

/** One accepted purchase as stored; the purchase-list hash is computed over these in seq order. */
export interface PurchaseRecord {
  readonly purchaseId: string;
  readonly tabId: string;
  readonly seq: number;
  readonly itemId: string;
  readonly price_minor: bigint;
  readonly chainIndex: number;
  readonly chainLink: string;
  readonly createdAt_ms: number;
}
