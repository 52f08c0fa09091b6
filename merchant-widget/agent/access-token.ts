// Access tokens: what a receipt carries so the merchant's own routes can release paid content
// without a database lookup. `<claims>.<mac>`, both base64url; the MAC is HMAC-SHA256 under a
// per-merchant secret over the claims text, which binds tab, item, purchase and expiry.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromBase64url, toBase64url } from '../../protocol/encoding/base64url';
import { bytesToUtf8, utf8ToBytes } from '../../protocol/encoding/bytes';

export interface AccessClaims {
  /** The tab the purchase was paid from; for a prior-art direct order (seed FIG 1, no tab), the order id (ord_…). */
  readonly tabId: string;
  readonly itemId: string;
  readonly purchaseId: string;
  readonly expiresAt_ms: number;
}

const TOKEN_VERSION = 1;
/** Receipts bound the token to 512 characters; anything longer is not ours. */
export const MAX_ACCESS_TOKEN_LENGTH = 512;
const HMAC_SHA256_BYTES = 32;
const MIN_SECRET_BYTES = 32;

export class AccessTokens {
  constructor(
    private readonly secret: Uint8Array,
    private readonly lifetime_ms: number,
  ) {
    if (secret.length < MIN_SECRET_BYTES) throw new RangeError(`access token secret must be at least ${MIN_SECRET_BYTES} bytes`);
    if (!Number.isSafeInteger(lifetime_ms) || lifetime_ms <= 0) throw new RangeError('access token lifetime must be a positive integer of ms');
  }

  issue(grant: Omit<AccessClaims, 'expiresAt_ms'>, now_ms: number): string {
    const claims = { v: TOKEN_VERSION, tab: grant.tabId, item: grant.itemId, pur: grant.purchaseId, exp: now_ms + this.lifetime_ms };
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
    if (presentedMac.length !== HMAC_SHA256_BYTES || !timingSafeEqual(presentedMac, this.mac(encodedClaims))) return null;
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
    const { v, tab, item, pur, exp } = claims as Record<string, unknown>;
    if (v !== TOKEN_VERSION || typeof tab !== 'string' || typeof item !== 'string' || typeof pur !== 'string' || !Number.isSafeInteger(exp)) return null;
    return { tabId: tab, itemId: item, purchaseId: pur, expiresAt_ms: exp as number };
  } catch {
    return null;
  }
}
