// Pure pieces of opening a tab: how much to hold, how long a chain, what to sign, and whether the
// operator's TabOpened answer says exactly what was asked for.

import type { CryptoProvider } from '@opentab/protocol';
import { verifyEnvelope, type PayloadBody } from '@opentab/protocol';
import type { ChainCommitment } from '@opentab/protocol';
import { MAX_CHAIN_LENGTH } from '@opentab/protocol';
import { canonicalJson } from '@opentab/protocol';
import type { InitiationPayload, TabOpened } from '@opentab/protocol';
import type { LockedRate } from '@opentab/protocol';
import { formatMoney, moneyFromWire, moneyToWire, parseWireAmount, type WireAmount } from '@opentab/protocol';
import { greatestCommonDivisor } from '@opentab/protocol';
import { depositInMerchantCurrency, merchantToCustomer } from '@opentab/protocol';
import { parseTimestamp } from '@opentab/protocol';
import type { MerchantRef } from '../../messaging/views';

/** The smallest hold (customer minor units) whose deposit covers `price_minor` merchant units. */
export function minimumHoldFor(price_minor: bigint, rate: LockedRate): bigint {
  let hold = merchantToCustomer(price_minor, rate);
  // merchantToCustomer rounds half-even; step up past any rounding shortfall (a unit or two at most).
  while (depositInMerchantCurrency(hold, rate) < price_minor) hold += 1n;
  return hold;
}

/** The hold for a new tab: the customer's default deposit, or more if the first purchase needs it. */
export function holdForNewTab(defaultDeposit_minor: bigint, firstPrice_minor: bigint, rate: LockedRate): bigint {
  const needed = minimumHoldFor(firstPrice_minor, rate);
  return needed > defaultDeposit_minor ? needed : defaultDeposit_minor;
}

/**
 * The chain unit of a new tab, in merchant minor units: one link stands for this much. `published`
 * is the unit the merchant agent publishes in its info (the greatest common divisor of its
 * prices), read from the agent URL of the verified merchant certificate, never from the page;
 * null when it could not be read. A unit in another currency or not above zero is ignored (one
 * minor unit, as before units were published); one that does not divide the first price is
 * narrowed to gcd(unit, price), so the purchase the tab is opened for can always be paid.
 *
 * A wrong unit can never overcharge: every purchase still reveals exactly price ÷ unit links, so
 * the index the records prove × unit is the sum of the prices the customer agreed to, and the
 * operators clear no more than the deposit. The worst it does is make a price that is not a whole
 * number of units unpayable at this tab (the merchant agent refuses such a price; this agent does
 * not even send it, see planPurchase), and then the purchase goes to a new tab.
 */
export function chainUnitFor(published: WireAmount | null, merchantCurrency: string, firstPrice_minor: bigint): bigint {
  const parsed = published === null ? null : parseWireAmount(published);
  if (parsed === null || !parsed.ok || parsed.money.currency !== merchantCurrency || parsed.money.minor < 1n) return 1n;
  const unit = parsed.money.minor;
  return firstPrice_minor % unit === 0n ? unit : greatestCommonDivisor(unit, firstPrice_minor);
}

export type ChainPlan =
  | { ok: true; length: number; unit_minor: bigint; depositMerchant_minor: bigint }
  | { ok: false; reason: string };

/**
 * The chain for a deposit of floor(hold × rate) merchant minor units (the same table's rate) at
 * `unit_minor` a link: ceil(deposit ÷ unit) links, so that length × unit ≥ deposit, as AM, MTA
 * and merchant agent all require. The last link may stand for more than is left of the deposit;
 * planPurchase never reveals it unless the deposit covers the price.
 */
export function chainPlanFor(hold_minor: bigint, rate: LockedRate, unit_minor: bigint): ChainPlan {
  if (unit_minor < 1n) throw new RangeError('chainPlanFor: the chain unit must be at least one minor unit');
  const depositMerchant = depositInMerchantCurrency(hold_minor, rate);
  if (depositMerchant < 1n) return { ok: false, reason: 'the deposit converts to nothing in the merchant currency' };
  const length = (depositMerchant + unit_minor - 1n) / unit_minor;
  if (length > BigInt(MAX_CHAIN_LENGTH)) {
    const unit = formatMoney({ currency: rate.merchant.currency, minor: unit_minor });
    return { ok: false, reason: `the deposit is larger than one tab can carry (${MAX_CHAIN_LENGTH} links of ${unit})` };
  }
  return { ok: true, length: Number(length), unit_minor, depositMerchant_minor: depositMerchant };
}

export interface InitiationTerms {
  readonly accountId: string;
  readonly sessionId: string;
  readonly merchant: MerchantRef;
  readonly customerCurrency: string;
  readonly hold_minor: bigint;
  readonly rateTableId: string;
  readonly merchantCurrency: string;
  readonly tabPublicKey: string;
  readonly chain: ChainCommitment;
  /** What one link is worth, in merchant minor units (chainUnitFor). */
  readonly chainUnit_minor: bigint;
  readonly timeout_s: number;
}

export function initiationBody(terms: InitiationTerms): PayloadBody<InitiationPayload> {
  return {
    type: 'initiation',
    accountId: terms.accountId,
    sessionId: terms.sessionId,
    merchantId: terms.merchant.merchantId,
    merchantOperatorId: terms.merchant.operatorId,
    deposit: moneyToWire({ currency: terms.customerCurrency, minor: terms.hold_minor }),
    rateTableId: terms.rateTableId,
    tabPublicKey: terms.tabPublicKey,
    // chain index × unit = merchant minor units paid.
    chain: {
      root: terms.chain.root,
      unit: moneyToWire({ currency: terms.merchantCurrency, minor: terms.chainUnit_minor }),
      length: terms.chain.length,
    },
    timeout_s: terms.timeout_s,
  };
}

export type TabOpenedCheck = { ok: true; expiresAt_ms: number } | { ok: false; reason: string };

export interface OpenedExpectation {
  readonly operatorId: string;
  readonly operatorKey: Uint8Array;
  readonly initiation: InitiationPayload;
  readonly rate: LockedRate;
  readonly depositMerchant_minor: bigint;
  /** kid of the merchant certificate the AM vouched for before the initiation. */
  readonly vouchedCertificateKid: string;
}

const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** The AM signs TabOpened; everything in it must match what the customer signed and was shown. */
export function checkTabOpened(crypto: CryptoProvider, opened: TabOpened, expected: OpenedExpectation): TabOpenedCheck {
  const payload = opened.payload;
  const initiation = expected.initiation;
  if (!verifyEnvelope(crypto, opened, expected.operatorKey) || payload.operatorId !== expected.operatorId) {
    return { ok: false, reason: 'the answer is not signed by your operator' };
  }
  if (payload.initiationId !== initiation.id) return { ok: false, reason: 'the answer is for a different initiation' };
  if (!sameJson(payload.chain, initiation.chain))
    return { ok: false, reason: 'the answer names a different hash chain' };
  if (!sameJson(payload.deposit.customer, initiation.deposit))
    return { ok: false, reason: 'the answer holds a different deposit' };
  if (!sameJson(payload.rate, expected.rate))
    return { ok: false, reason: 'the operator locked a different rate than you were shown' };
  const merchantDeposit = moneyFromWire(payload.deposit.merchant);
  if (
    merchantDeposit.currency !== expected.rate.merchant.currency ||
    merchantDeposit.minor !== expected.depositMerchant_minor
  ) {
    return { ok: false, reason: 'the deposit in the merchant currency is not floor(hold × rate)' };
  }
  const certificate = payload.merchantCertificate;
  if (
    certificate.payload.merchantId !== initiation.merchantId ||
    certificate.payload.operatorId !== initiation.merchantOperatorId
  ) {
    return { ok: false, reason: 'the merchant certificate is for a different merchant' };
  }
  if (certificate.kid !== expected.vouchedCertificateKid) {
    return {
      ok: false,
      reason: 'the merchant certificate is not signed by the merchant operator your operator vouched for',
    };
  }
  const expiresAt_ms = parseTimestamp(payload.expiresAt);
  if (expiresAt_ms === null) return { ok: false, reason: 'the tab has no readable expiry' };
  return { ok: true, expiresAt_ms };
}
