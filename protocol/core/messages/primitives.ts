// Building blocks of every message schema. Each schema is the single source of both the
// TypeScript type (v.InferOutput) and the runtime check, and bounds every string it accepts.

import * as v from 'valibot';
import { parseWireAmount } from '../money/amount';
import { allCurrencyCodes, currencyCodesByExponent, isCurrencyCode } from '../money/iso4217';
import { DECIMAL_MAX_LENGTH, DECIMAL_PATTERN, parseExactDecimal } from '../money/decimal';
import { base64urlLength, fromBase64url, fromBase64urlOfLength } from '../encoding/base64url';
import { ED25519_PUBLIC_KEY_BYTES } from '../crypto/provider';
import { checkPublicKey, weakKeySentence, type WeakKeyProblem } from '../crypto/public-key-check';
import { MESSAGE_ID_PATTERN } from '../ids';
import { parseCalendarDate, parseTimestamp, RFC3339_PATTERN } from '../time';
import { MAX_CHAIN_LENGTH } from '../chain/hash-chain';

export const MessageId = v.pipe(v.string(), v.regex(MESSAGE_ID_PATTERN, 'must be 32 lowercase hex digits'));

// A v.metadata action changes nothing when a message is checked: it states, in JSON Schema
// keywords, as much of the check before it as JSON Schema can, for the API documents.

export const Timestamp = v.pipe(
  v.string(),
  v.maxLength(40),
  v.check((text) => parseTimestamp(text) !== null, 'must be an RFC 3339 timestamp'),
  v.metadata({ format: 'date-time', pattern: RFC3339_PATTERN.source }),
);

/** A day of the calendar, YYYY-MM-DD (the day a rate source's quotes are for). */
export const CalendarDate = v.pipe(
  v.string(),
  v.length(10),
  v.check((text) => parseCalendarDate(text) !== null, 'must be a YYYY-MM-DD date'),
);

function isCanonicalBase64url(text: string): boolean {
  try {
    fromBase64url(text);
    return true;
  } catch {
    return false;
  }
}

function base64urlOfBytes(byteLength: number) {
  const length = base64urlLength(byteLength);
  return v.pipe(v.string(), v.length(length), v.regex(/^[A-Za-z0-9_-]+$/, 'must be base64url'));
}

/** Issue text of a refused key, followed by what is wrong with it: lets the edge answer weak_key rather than
 * invalid_message. */
/**
 * A check whose refusal is worded per input (a function message) with the rule it states in
 * general, for documents that describe the check without an input (the OpenAPI document).
 */
export function describedRule<A extends object>(action: A, rule: string): A & { readonly rule: string } {
  return Object.assign(action, { rule });
}

export const WEAK_KEY_ISSUE = 'must be a sound Ed25519 public key, but it';

/** What makes `text` no sound key; null also when it is no 32 bytes of base64url, which the format checks report. */
function weakKeyProblem(text: string): WeakKeyProblem | null {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64urlOfLength(text, ED25519_PUBLIC_KEY_BYTES);
  } catch {
    return null;
  }
  const check = checkPublicKey(bytes);
  return check.ok ? null : check.problem;
}

/** Every public key any message carries, and every envelope's kid: no intake can take a weak key
 * (public-key-check.ts). */
export const PublicKey = v.pipe(
  base64urlOfBytes(ED25519_PUBLIC_KEY_BYTES),
  describedRule(
    v.check<string, (issue: v.CheckIssue<string>) => string>(
      (text) => weakKeyProblem(text) === null,
      (issue) => `${WEAK_KEY_ISSUE} ${weakKeySentence(weakKeyProblem(issue.input) ?? 'not_a_point')}`,
    ),
    'must be a sound Ed25519 public key: a canonical encoding of a point of prime order (not of small order, no small-order component)',
  ),
);
export const Signature = base64urlOfBytes(64);
export const Digest = base64urlOfBytes(32);
/**
 * The key of a tab's purchase-list hash (protocol/core/chain/purchase-list.ts), in its one canonical
 * spelling, since the merchant agent compares the keys its purchases name.
 */
export const PurchaseListKey = v.pipe(
  base64urlOfBytes(32),
  v.check(isCanonicalBase64url, 'must be canonical base64url'),
);

export const CurrencyCode = v.pipe(
  v.string(),
  v.length(3),
  v.check((code) => isCurrencyCode(code), 'must be an ISO 4217 currency code'),
  v.metadata({ enum: allCurrencyCodes() }),
);

export const DecimalString = v.pipe(
  v.string(),
  v.maxLength(DECIMAL_MAX_LENGTH),
  v.regex(DECIMAL_PATTERN, 'must be a plain non-negative decimal'),
);

export const PositiveDecimalString = v.pipe(
  DecimalString,
  v.check((text) => (parseExactDecimal(text)?.digits ?? 0n) > 0n, 'must be greater than zero'),
  v.metadata({ not: { pattern: '^0(\\.0+)?$' } }),
);

/** Issue text of a refused amount: lets the edge answer amount_invalid rather than invalid_message. */
export const AMOUNT_ISSUE = 'amount: must have no more decimals than its currency allows and fit in 64 bits';

/** The decimals part of AMOUNT_ISSUE in JSON Schema: per exponent, the pattern of the values its currencies take. */
function decimalsOfCurrency(sign: string) {
  return {
    allOf: currencyCodesByExponent().map(([exponent, codes]) => ({
      if: { properties: { currency: { enum: codes } } },
      then: {
        properties: {
          value: { pattern: `^${sign}(0|[1-9][0-9]*)${exponent === 0 ? '' : `(\\.[0-9]{1,${exponent}})?`}$` },
        },
      },
    })),
  };
}

/** {"currency":"EUR","value":"0.05"}: refuses more decimals than the currency has, and values past 64 bits. */
export const Amount = v.pipe(
  v.strictObject({ currency: CurrencyCode, value: DecimalString }),
  v.check((amount) => parseWireAmount(amount).ok, AMOUNT_ISSUE),
  v.metadata(decimalsOfCurrency('')),
);

export const OperatorId = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 of a-z, 0-9, -'));
export const MerchantId = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 of a-z, 0-9, _, -'));
export const AccountId = v.pipe(v.string(), v.regex(/^acct_[0-9a-f]{24}$/, 'must be an account id'));
export const Pseudonym = v.pipe(v.string(), v.regex(/^psn_[0-9a-f]{24}$/, 'must be a pseudonym'));
export const TabId = v.pipe(v.string(), v.regex(/^tab_[0-9a-f]{24}$/, 'must be a tab id'));
export const ItemId = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 of A-Z, a-z, 0-9, . _ : -'),
);
/** <amId>.<seq1> */
export const SessionId = v.pipe(
  v.string(),
  v.maxLength(64),
  v.regex(/^[a-z0-9][a-z0-9-]{0,31}\.[1-9][0-9]{0,15}$/, 'must be <amId>.<seq>'),
);
/** <amId>.<seq1>.<seq2> */
export const TransactionId = v.pipe(
  v.string(),
  v.maxLength(80),
  v.regex(/^[a-z0-9][a-z0-9-]{0,31}\.[1-9][0-9]{0,15}\.[1-9][0-9]{0,15}$/, 'must be <amId>.<seq1>.<seq2>'),
);

export const HttpUrl = v.pipe(
  v.string(),
  v.maxLength(2048),
  v.check((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials'),
);

/** A web origin exactly as browsers serialise it: scheme://host[:port], nothing more. */
export const WebOrigin = v.pipe(
  v.string(),
  v.maxLength(256),
  v.check((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === text;
    } catch {
      return false;
    }
  }, 'must be a serialised web origin such as https://shop.example'),
  // What every serialised origin looks like; the check above asks for more (a host the URL parser takes, as
  // it writes it).
  v.metadata({ pattern: '^https?://[^/?#@\\s]+$' }),
);

/**
 * Text without control characters or the invisible bidirectional formatting marks. U+202E and its
 * kin reorder what follows them, so a name such as "Acme\u202Emoc.lapyap" would show a customer
 * something other than what it says; no honest name needs them.
 */
const PLAIN_TEXT = /^[^\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]*$/;

/** Text a customer is shown as a name or a title: 1 to `maxLength` UTF-16 units, nothing invisible that changes how it reads. */
export const ShownText = (maxLength: number) =>
  v.pipe(
    v.string(),
    v.minLength(1),
    v.maxLength(maxLength),
    // A regex (not a check) so that the API documents carry it as a pattern; U+0000-U+001F and U+007F-U+009F
    // are \p{Cc}.
    v.regex(PLAIN_TEXT, 'must be plain text, without control characters or bidirectional formatting marks'),
  );

export const DISPLAY_NAME_MAX_LENGTH = 80;
export const ITEM_TITLE_MAX_LENGTH = 200;
export const DisplayName = ShownText(DISPLAY_NAME_MAX_LENGTH);
/** A catalogue item's title, as the merchant agent publishes it. */
export const ItemTitle = ShownText(ITEM_TITLE_MAX_LENGTH);
/** The longest access token a receipt carries: opaque to all but the merchant that issued it. */
export const ACCESS_TOKEN_MAX_LENGTH = 512;
export const AccessToken = v.pipe(v.string(), v.minLength(1), v.maxLength(ACCESS_TOKEN_MAX_LENGTH));
/**
 * An entitlement's access period: from one hour (the customer agent stops offering a token a few
 * minutes before it ends, since its clock and the merchant's may differ by the skew window, so a
 * shorter period would be mostly margin) to ten years.
 */
export const MIN_ACCESS_S = 3_600;
export const MAX_ACCESS_S = 3_650 * 86_400;
export const AccessPeriod_s = v.pipe(v.number(), v.safeInteger(), v.minValue(MIN_ACCESS_S), v.maxValue(MAX_ACCESS_S));
export const ChainIndex = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_CHAIN_LENGTH));
export const ChainLength = v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_CHAIN_LENGTH));
export const Count = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_CHAIN_LENGTH));
export const Sequence = v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_CHAIN_LENGTH));

/** The hash-chain commitment of an initiation. `unit` is the merchant-currency value of one link. */
export const ChainTerms = v.strictObject({
  root: Digest,
  unit: Amount,
  length: ChainLength,
});
export type ChainTerms = v.InferOutput<typeof ChainTerms>;

/** Units of `currency` per one unit of the table's base currency. */
export const RateQuote = v.strictObject({ currency: CurrencyCode, perBase: PositiveDecimalString });
export type RateQuote = v.InferOutput<typeof RateQuote>;

/** The rate of one transaction: both per-base quotes of the table it was locked from. */
export const LockedRate = v.strictObject({
  tableId: MessageId,
  base: CurrencyCode,
  customer: RateQuote,
  merchant: RateQuote,
});
export type LockedRate = v.InferOutput<typeof LockedRate>;

export const Sentence = v.pipe(v.string(), v.maxLength(500));

/** Header of every signed payload; `type` is added per message as a literal. */
export function payloadHeader<T extends string>(type: T) {
  return { type: v.literal(type), id: MessageId, iat: Timestamp };
}

/** {payload, kid, sig}: the signed form of any payload schema. */
export function envelopeOf<TPayload extends v.GenericSchema>(payload: TPayload) {
  return v.strictObject({ payload, kid: PublicKey, sig: Signature });
}

/** A balance may be negative (credit in use): "-12.30". Only account views carry one. */
export const SignedAmount = v.pipe(
  v.strictObject({
    currency: CurrencyCode,
    value: v.pipe(
      v.string(),
      v.maxLength(DECIMAL_MAX_LENGTH + 1),
      v.regex(/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/, 'must be a decimal'),
    ),
  }),
  v.check(
    (amount) => parseWireAmount({ currency: amount.currency, value: amount.value.replace(/^-/, '') }).ok,
    AMOUNT_ISSUE,
  ),
  v.metadata(decimalsOfCurrency('-?')),
);
