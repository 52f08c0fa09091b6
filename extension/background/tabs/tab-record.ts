// A tab as the customer agent remembers it, one phase at a time. Everything needed to go on after
// a service-worker restart is here; the spend authority (tab key, chain seed) only encrypted.

import type { Initiation, TabOpened } from '@opentab/protocol';
import { merchantToCustomer } from '@opentab/protocol';
import type { MerchantCertificate, OperatorCertificate } from '@opentab/protocol';
import type { Purchase, StopReason } from '@opentab/protocol';
import type { LockedRate } from '@opentab/protocol';
import type { RateTableSource } from '@opentab/protocol';
import type { MerchantRef } from '../../messaging/views';
import type { SealedSecret } from '../keys/secret-box';

export interface TabBase {
  /** The initiation's message id: known before the operator assigns any id. */
  readonly localId: string;
  readonly merchant: MerchantRef;
  readonly merchantDisplayName: string;
  /** The page origin the merchant certificate was checked against when the tab opened. */
  readonly origin: string;
  readonly merchantCertificate: MerchantCertificate;
  /**
   * The CA-signed certificate of the merchant's operator, checked when the tab was vouched for: its
   * key signed the merchant certificate and alone acknowledges the customer's record. Absent in
   * tabs stored before it was kept (an optional field: no database version).
   */
  readonly merchantOperatorCertificate?: OperatorCertificate;
  readonly customerCurrency: string;
  readonly depositCustomer_minor: bigint;
  readonly depositMerchant_minor: bigint;
  readonly rate: LockedRate;
  /**
   * Whose rate was locked and of which day (null: the table did not say). Absent in tabs stored
   * before it was kept (an optional field: no database version).
   */
  readonly rateSource?: RateTableSource | null;
  readonly chainLength: number;
  /**
   * What one chain link is worth, in merchant minor units (the unit the initiation committed to).
   * Tabs stored before units were published have none: theirs was one minor unit (chainUnitOf).
   */
  readonly chainUnit_minor?: bigint;
  /** Tab secret key (32 bytes) then chain seed (32 bytes), sealed under the identity-derived key. */
  readonly secrets: SealedSecret;
  /** Kept signed, so an unanswered initiation is re-sent unchanged (the AM is idempotent on its id). */
  readonly initiation: Initiation;
  readonly createdAt_ms: number;
}

export interface OpeningTab extends TabBase {
  readonly phase: 'opening';
}

interface Trading {
  readonly transactionId: string;
  readonly tabId: string;
  readonly tabOpened: TabOpened;
  readonly expiresAt_ms: number;
  /** Cumulative chain units paid: the chain index last revealed (× chain unit = merchant minor units). */
  readonly chainIndex: number;
  readonly count: number;
  /** A purchase sent but not yet answered: re-sent unchanged before anything else happens at this tab. */
  readonly pendingPurchase: Purchase | null;
  /**
   * When the pending purchase was first sent, for the customer's view of it; meaningful only while
   * there is one. Absent in tabs stored before it was kept (an optional field: no database version).
   */
  readonly pendingSince_ms?: number;
}

export interface OpenTab extends TabBase, Trading {
  readonly phase: 'open';
}

export interface ClosedTab extends TabBase, Trading {
  readonly phase: 'closed';
  readonly stopReason: StopReason;
  readonly closedAt_ms: number;
}

export interface FailedTab extends TabBase {
  readonly phase: 'failed';
  readonly failure: string;
}

export type StoredTab = OpeningTab | OpenTab | ClosedTab | FailedTab;

/**
 * The key of the merchant's operator (its MTA), base64url: the one its CA certificate names; for a
 * tab stored without that certificate, the key that signed the merchant certificate, as then.
 */
export function merchantOperatorKeyOf(
  tab: Pick<TabBase, 'merchantCertificate' | 'merchantOperatorCertificate'>,
): string {
  return tab.merchantOperatorCertificate?.payload.publicKey ?? tab.merchantCertificate.kid;
}

/** Merchant minor units per chain link; one for tabs stored before the unit was recorded. */
export function chainUnitOf(tab: Pick<TabBase, 'chainUnit_minor'>): bigint {
  return tab.chainUnit_minor ?? 1n;
}

/** Merchant minor units paid so far: chain index × chain unit. */
export function spentMinor(tab: TabBase & Trading): bigint {
  return BigInt(tab.chainIndex) * chainUnitOf(tab);
}

export function remainingMinor(tab: TabBase & Trading): bigint {
  return tab.depositMerchant_minor - spentMinor(tab);
}

export function isExpired(tab: OpenTab, now_ms: number): boolean {
  return now_ms >= tab.expiresAt_ms;
}

/**
 * What a tab counts against the daily and monthly caps, in customer minor units: its deposit while
 * it is held (opening or open), what it spent once closed (the rest was released), nothing for a
 * tab that failed to open. Caps limit money spent or still held, not money once held.
 */
export function capUseOf(tab: StoredTab): { openedAt_ms: number; depositCustomer_minor: bigint } | null {
  switch (tab.phase) {
    case 'opening':
    case 'open':
      return { openedAt_ms: tab.createdAt_ms, depositCustomer_minor: tab.depositCustomer_minor };
    case 'closed':
      return { openedAt_ms: tab.createdAt_ms, depositCustomer_minor: merchantToCustomer(spentMinor(tab), tab.rate) };
    case 'failed':
      return null;
  }
}
