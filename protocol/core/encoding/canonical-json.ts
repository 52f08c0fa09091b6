// RFC 8785 JSON Canonicalization Scheme: the exact bytes every signature and every
// purchase-list hash is computed over, identical in browser and server.

import canonicalize from 'canonicalize';
import { utf8ToBytes } from './bytes';

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: value has no JSON representation');
  return text;
}

export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8ToBytes(canonicalJson(value));
}
