// Hand-written checks of the few fields the widget reads from the agent and the extension.
// The protocol's valibot schemas would pull the money and currency tables into the bundle and
// break the size budget; these checks accept a subset of what the schemas accept, and the types
// below are tied to the protocol's at compile time so the two cannot drift apart silently.
// Signatures are not checked here: the merchant's server verifies a receipt before it unlocks
// anything, and the widget only hands the receipt on.

import { allOf } from '@opentab/protocol';
import type {
  BridgeCall,
  BridgeError,
  BridgeErrorCode,
  BridgeResult,
  Entitlement,
  RateStatus,
} from '@opentab/protocol';
import type { MerchantInfo, Receipt } from '@opentab/protocol';
import type { RateTableSource } from '@opentab/protocol';
import type { Amount } from './amount-text';

type JsonObject = Record<string, unknown>;

const BRIDGE_ERROR_CODES = allOf<BridgeErrorCode>()([
  'not_installed',
  'wallet_locked',
  'wallet_not_enrolled',
  'origin_not_allowed',
  'declined_by_customer',
  'limit_reached',
  'blocked_merchant',
  'rate_table_expired',
  'operator_unreachable',
  'merchant_unreachable',
  'merchant_refused',
  'payment_pending',
  'invalid_request',
  'busy',
  'internal',
]);
const RATE_STATUSES = allOf<RateStatus>()(['current', 'expired', 'missing']);
const WALLET_STATES = allOf<BridgeResult<'hello'>['walletState']>()(['uninitialised', 'locked', 'unenrolled', 'ready']);
const ITEM_KINDS = allOf<MerchantInfo['catalogue'][number]['kind']>()(['entitlement', 'consumable']);

const CURRENCY_PATTERN = /^[A-Z]{3}$/;
const DECIMAL_PATTERN = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const DECIMAL_MAX_LENGTH = 40;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_MESSAGE_LENGTH = 500;
const MAX_TOKEN_LENGTH = 512;
const MAX_TIMESTAMP_LENGTH = 40;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return (list as readonly unknown[]).includes(value);
}

function isShortString(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength;
}

const isId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value);

export function isAmount(value: unknown): value is Amount {
  return (
    isRecord(value) &&
    typeof value.currency === 'string' &&
    CURRENCY_PATTERN.test(value.currency) &&
    typeof value.value === 'string' &&
    value.value.length <= DECIMAL_MAX_LENGTH &&
    DECIMAL_PATTERN.test(value.value)
  );
}

const isNullableAmount = (value: unknown): value is Amount | null => value === null || isAmount(value);
const isNullableString = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** An agent from before item kinds names none: the widget then treats the item as a consumable (it never asks
 * whether it is owned). */
function isCatalogueEntry(value: unknown): value is MerchantInfo['catalogue'][number] {
  return (
    isRecord(value) &&
    isId(value.itemId) &&
    isShortString(value.title, 200) &&
    isAmount(value.price) &&
    (value.kind === undefined || isOneOf(ITEM_KINDS, value.kind))
  );
}

/** `chainUnit` is left unchecked: the widget never reads it (the extension reads it, schema-checked, when it opens a tab). */
export function isMerchantInfo(value: unknown): value is MerchantInfo {
  return (
    isRecord(value) &&
    isId(value.merchantId) &&
    isId(value.operatorId) &&
    isShortString(value.displayName, 80) &&
    typeof value.currency === 'string' &&
    CURRENCY_PATTERN.test(value.currency) &&
    Array.isArray(value.catalogue) &&
    value.catalogue.every(isCatalogueEntry)
  );
}

export function isReceipt(value: unknown): value is Receipt {
  if (!isRecord(value) || !isShortString(value.kid, 128) || !isShortString(value.sig, 256)) return false;
  const payload = value.payload;
  return (
    isRecord(payload) &&
    payload.type === 'receipt' &&
    isId(payload.merchantId) &&
    isShortString(payload.tabId, 64) &&
    isId(payload.itemId) &&
    isAmount(payload.price) &&
    typeof payload.accessToken === 'string'
  );
}

const RATE_PUBLISHERS = allOf<RateTableSource['publisher']>()(['ecb', 'operator']);
const CALENDAR_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function isRateSource(value: unknown): value is RateTableSource {
  return (
    isRecord(value) &&
    isOneOf(RATE_PUBLISHERS, value.publisher) &&
    typeof value.publishedOn === 'string' &&
    CALENDAR_DATE_PATTERN.test(value.publishedOn) &&
    typeof value.sample === 'boolean'
  );
}

export function isEntitlement(value: unknown): value is Entitlement {
  return (
    isRecord(value) &&
    isId(value.itemId) &&
    isShortString(value.accessToken, MAX_TOKEN_LENGTH) &&
    isShortString(value.entitledUntil, MAX_TIMESTAMP_LENGTH)
  );
}

const RESULT_CHECKS: { [C in BridgeCall]: (result: JsonObject) => boolean } = {
  hello: (result) => typeof result.protocolVersion === 'number' && isOneOf(WALLET_STATES, result.walletState),
  convert: (result) =>
    isNullableString(result.currency) &&
    isOneOf(RATE_STATUSES, result.rateStatus) &&
    Array.isArray(result.converted) &&
    result.converted.every(isNullableAmount) &&
    // An extension before rate sources were sent leaves it out.
    (result.rateSource === undefined || result.rateSource === null || isRateSource(result.rateSource)),
  // An extension before protocol 3 answers a receipt without a kind: paid.
  pay: (result) =>
    result.kind === 'owned'
      ? isEntitlement(result)
      : (result.kind === 'paid' || result.kind === undefined) && isReceipt(result.receipt),
  paymentStatus: (result) =>
    result.status === 'paid' ? isReceipt(result.receipt) : result.status === 'pending' || result.status === 'none',
  entitlements: (result) => Array.isArray(result.entitlements) && result.entitlements.every(isEntitlement),
  tabStatus: (result) => typeof result.open === 'boolean',
  closeTab: (result) => typeof result.closed === 'boolean',
  deliver: (result) =>
    result.kind === 'aborted'
      ? isId(result.itemId)
      : result.kind === 'delivered' && isReceipt(result.receipt) && isShortString(result.fileName, 128),
};

export function isBridgeResult<C extends BridgeCall>(call: C, value: unknown): value is BridgeResult<C> {
  return isRecord(value) && RESULT_CHECKS[call](value);
}

/** The extension's error, with codes this widget does not know yet reported as `internal`. */
export function readBridgeError(value: unknown): BridgeError | null {
  if (!isRecord(value) || typeof value.message !== 'string' || typeof value.code !== 'string') return null;
  const code = isOneOf(BRIDGE_ERROR_CODES, value.code) ? value.code : 'internal';
  return { code, message: value.message.slice(0, MAX_MESSAGE_LENGTH) };
}
