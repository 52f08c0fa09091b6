// The purchase-list hash both parties put in their records: SHA-256 over the RFC 8785 canonical
// JSON of [{seq, itemId, price}, ...] in purchase order. Operators see only this hash.

import { canonicalJsonBytes } from '../encoding/canonical-json';
import { toBase64url } from '../encoding/base64url';
import type { CryptoProvider } from '../crypto/provider';
import type { WireAmount } from '../money/amount';

export interface PurchaseLine {
  readonly seq: number;
  readonly itemId: string;
  readonly price: WireAmount;
}

export function purchaseListHash(crypto: CryptoProvider, lines: readonly PurchaseLine[]): string {
  const list = lines.map(({ seq, itemId, price }) => ({ seq, itemId, price: { currency: price.currency, value: price.value } }));
  return toBase64url(crypto.sha256(canonicalJsonBytes(list)));
}
