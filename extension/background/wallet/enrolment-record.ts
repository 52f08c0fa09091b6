import type { OperatorCertificate } from '@opentab/protocol';

/** The customer's own operator: the only party whose signatures the extension trusts. */
export interface Enrolment {
  readonly operatorId: string;
  readonly baseUrl: string;
  readonly currency: string;
  /** base64url Ed25519 key from the operator certificate fetched at enrolment. */
  readonly operatorPublicKey: string;
  /** As served at enrolment; the key that signed it (its kid) is the CA this wallet trusts (trust-anchors.ts). */
  readonly operatorCertificate: OperatorCertificate;
  readonly accountId: string;
  readonly enrolledAt_ms: number;
}

/** A logged-on session with the AM; its id prefixes every transaction id. */
export interface OperatorSession {
  readonly sessionId: string;
  readonly expiresAt_ms: number;
}
