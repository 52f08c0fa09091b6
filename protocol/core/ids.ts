// Identifiers fixed by DESIGN.md: random 128-bit message ids, and the AM's hierarchical
// sessionId = <amId>.<seq1> and transactionId = <sessionId>.<seq2>.

import { bytesToHex } from './encoding/bytes';
import type { CryptoProvider } from './crypto/provider';

export const MESSAGE_ID_PATTERN = /^[0-9a-f]{32}$/;

export function newMessageId(crypto: CryptoProvider): string {
  return bytesToHex(crypto.randomBytes(16));
}

/** A random identifier with a readable prefix, e.g. tab_3f9c…; 96 random bits. */
export function newPrefixedId(crypto: CryptoProvider, prefix: string): string {
  return `${prefix}_${bytesToHex(crypto.randomBytes(12))}`;
}

export function makeSessionId(amId: string, sequence: bigint | number): string {
  return `${amId}.${sequence}`;
}

export function makeTransactionId(sessionId: string, sequence: bigint | number): string {
  return `${sessionId}.${sequence}`;
}
