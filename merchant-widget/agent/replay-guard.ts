// Idempotency on message ids: a replay of a message gets the first answer, byte for byte; the
// same id on a different message is refused. "Same" means equal canonical JSON, compared by digest.

import type { CryptoProvider } from '@opentab/protocol';
import { toBase64url } from '@opentab/protocol';
import { canonicalJsonBytes } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { StoredReply } from './store';

export function requestDigest(crypto: CryptoProvider, message: unknown): string {
  return toBase64url(crypto.sha256(canonicalJsonBytes(message)));
}

/** The stored first answer to this exact message, null if there is none; throws id_reused for a different
 * message under the same id. */
export function firstAnswer<T>(stored: StoredReply | null, digest: string): T | null {
  if (stored === null) return null;
  if (stored.requestDigest !== digest) throw new OpentabError('id_reused');
  return JSON.parse(stored.responseJson) as T;
}
