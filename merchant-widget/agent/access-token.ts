// Access tokens: what a receipt carries so the merchant's own routes can release paid content
// without a database lookup. `<claims>.<mac>`, both base64url; the MAC is HMAC-SHA256 under a
// per-merchant secret over the claims text, which binds item, reference and expiry.
//
// A token names the item, when it stops opening it, and a random reference drawn when it was
// issued; no tab, purchase or customer. An entitlement's token is presented for weeks, on visits
// that have nothing else to do with the tab it was bought from, so the token itself must not let
// the page or the content server tie such a visit to that tab (or to the tab the customer pays
// from now). The agent's database still keeps each receipt, token included (replays and the
// wallet's catch-up are answered from it), so a merchant who searches it for a presented token
// finds the tab's pseudonym: that linkage remains, and it is the merchant's own record.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromBase64url, toBase64url } from '@opentab/protocol';
import { bytesToUtf8, utf8ToBytes } from '@opentab/protocol';
import { ACCESS_TOKEN_MAX_LENGTH } from '@opentab/protocol';
import type { ItemAccess } from './catalogue';

export interface AccessClaims {
  readonly itemId: string;
  /** Random, drawn when the token was issued: tells two grants apart without naming a tab or a purchase. */
  readonly reference: string;
  readonly expiresAt_ms: number;
}

/** 2: item, reference, expiry. 1 (still read until its tokens expire) also named the tab and the purchase. */
const TOKEN_VERSION = 2;
const LEGACY_TOKEN_VERSION = 1;
/** Receipts bound the token to this many characters; anything longer is not ours. */
export const MAX_ACCESS_TOKEN_LENGTH = ACCESS_TOKEN_MAX_LENGTH;
const HMAC_SHA256_BYTES = 32;
const MIN_SECRET_BYTES = 32;
const REFERENCE_BYTES = 16;

/**
 * When a token issued at `issuedAt_ms` for an item sold this way stops opening it: an
 * entitlement's after its access period, a consumable's after the agent's token lifetime.
 */
export function accessExpiry_ms(access: ItemAccess, issuedAt_ms: number, consumableLifetime_ms: number): number {
  return issuedAt_ms + (access.kind === 'entitlement' ? access.access_s * 1000 : consumableLifetime_ms);
}

/** What a receipt says of access: the token, and until when an entitlement holds (null for a consumable). */
export interface AccessGrant {
  readonly accessToken: string;
  readonly entitledUntil_ms: number | null;
}

/** The token for one purchase of `item`; an entitlement's expiry is stated in the receipt as well. */
export function grantAccess(
  tokens: AccessTokens,
  item: { readonly itemId: string; readonly access: ItemAccess },
  now_ms: number,
  consumableLifetime_ms: number,
): AccessGrant {
  const expiresAt_ms = accessExpiry_ms(item.access, now_ms, consumableLifetime_ms);
  return {
    accessToken: tokens.issue(item.itemId, expiresAt_ms),
    entitledUntil_ms: item.access.kind === 'entitlement' ? expiresAt_ms : null,
  };
}

export class AccessTokens {
  constructor(
    private readonly secret: Uint8Array,
    private readonly randomBytes: (length: number) => Uint8Array,
  ) {
    if (secret.length < MIN_SECRET_BYTES)
      throw new RangeError(`access token secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }

  issue(itemId: string, expiresAt_ms: number): string {
    if (!Number.isSafeInteger(expiresAt_ms)) throw new RangeError('an access token expires at a whole number of ms');
    const claims = {
      v: TOKEN_VERSION,
      item: itemId,
      ref: toBase64url(this.randomBytes(REFERENCE_BYTES)),
      exp: expiresAt_ms,
    };
    const encodedClaims = toBase64url(utf8ToBytes(JSON.stringify(claims)));
    return `${encodedClaims}.${toBase64url(this.mac(encodedClaims))}`;
  }

  /** The claims of a genuine, unexpired token, or null. Never throws, whatever the input. */
  read(token: unknown, now_ms: number): AccessClaims | null {
    if (typeof token !== 'string' || token.length > MAX_ACCESS_TOKEN_LENGTH) return null;
    const parts = token.split('.');
    if (parts.length !== 2) return null;
    const [encodedClaims, encodedMac] = parts as [string, string];
    let presentedMac: Uint8Array;
    try {
      presentedMac = fromBase64url(encodedMac);
    } catch {
      return null;
    }
    if (presentedMac.length !== HMAC_SHA256_BYTES || !timingSafeEqual(presentedMac, this.mac(encodedClaims)))
      return null;
    const claims = decodeClaims(encodedClaims);
    if (claims === null || claims.expiresAt_ms <= now_ms) return null;
    return claims;
  }

  /** True when the token is genuine, unexpired and was issued for exactly this item. */
  verify(token: unknown, itemId: string, now_ms: number): boolean {
    return this.read(token, now_ms)?.itemId === itemId;
  }

  private mac(encodedClaims: string): Uint8Array {
    return createHmac('sha256', this.secret).update(encodedClaims, 'utf8').digest();
  }
}

/** Only ever called on MAC-verified text, so these shape checks are a second line of defence. */
function decodeClaims(encodedClaims: string): AccessClaims | null {
  try {
    const claims: unknown = JSON.parse(bytesToUtf8(fromBase64url(encodedClaims)));
    if (typeof claims !== 'object' || claims === null) return null;
    const { v, item, ref, pur, exp } = claims as Record<string, unknown>;
    // A version-1 token's purchase id stands in for the reference; its tab is not passed on.
    const reference = v === TOKEN_VERSION ? ref : v === LEGACY_TOKEN_VERSION ? pur : undefined;
    if (typeof item !== 'string' || typeof reference !== 'string' || !Number.isSafeInteger(exp)) return null;
    return { itemId: item, reference, expiresAt_ms: exp as number };
  } catch {
    return null;
  }
}
