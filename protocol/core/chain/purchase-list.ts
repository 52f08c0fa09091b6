// The purchase-list hash both parties put in their records: HMAC-SHA256 under the tab's list key
// over the RFC 8785 canonical JSON of [{seq, itemId, price}, ...] in purchase order. Operators see
// only this hash. Unkeyed, it would not hide the list: every catalogue is public, and the lists a
// record's count and total allow are few enough to try them all. The key is the customer agent's
// secret for the tab, sent to the merchant agent with every purchase and to nobody else, so
// customer and merchant compute the same hash and the operators can only compare the two.
//
// A list with no purchases is hashed under the all-zero key: a merchant that was never sent a
// purchase was never sent the key either, and the records' count (0) already says what it holds.

import { canonicalJsonBytes } from '../encoding/canonical-json';
import { fromBase64urlOfLength, toBase64url } from '../encoding/base64url';
import { hmacSha256 } from '../crypto/hmac-sha256';
import type { CryptoProvider } from '../crypto/provider';
import type { WireAmount } from '../money/amount';

export interface PurchaseLine {
  readonly seq: number;
  readonly itemId: string;
  readonly price: WireAmount;
}

export const PURCHASE_LIST_KEY_BYTES = 32;

/** The key of a list with no purchases, and of one whose key its holder never learnt. */
const NO_KEY = new Uint8Array(PURCHASE_LIST_KEY_BYTES);

/** `listKey`: the tab's 32-byte list key, or null where no purchase brought one (it hashes as the all-zero key). */
export function purchaseListHash(
  crypto: CryptoProvider,
  listKey: Uint8Array | null,
  lines: readonly PurchaseLine[],
): string {
  const key = lines.length === 0 || listKey === null ? NO_KEY : listKey;
  if (key.length !== PURCHASE_LIST_KEY_BYTES)
    throw new RangeError(`a purchase-list key has ${PURCHASE_LIST_KEY_BYTES} bytes`);
  const list = lines.map(({ seq, itemId, price }) => ({
    seq,
    itemId,
    price: { currency: price.currency, value: price.value },
  }));
  return toBase64url(hmacSha256(crypto, key, canonicalJsonBytes(list)));
}

/** What a party hands an arbiter in a dispute: the list it claims, and the tab's list key it hashed it under. */
export interface PurchaseListClaim {
  /** base64url of the 32-byte list key. */
  readonly listKey: string;
  readonly lines: readonly PurchaseLine[];
}

/**
 * Does the claimed list, under the revealed key, hash to the hash a signed record states? What the
 * MTA or an arbiter checks once a party reveals the key: a list other than the one recorded would
 * need an HMAC collision. False (never throws) for a key that is not 32 bytes of base64url.
 */
export function purchaseListMatches(crypto: CryptoProvider, recordedHash: string, claim: PurchaseListClaim): boolean {
  let key: Uint8Array;
  try {
    key = fromBase64urlOfLength(claim.listKey, PURCHASE_LIST_KEY_BYTES);
  } catch {
    return false;
  }
  return purchaseListHash(crypto, key, claim.lines) === recordedHash;
}
