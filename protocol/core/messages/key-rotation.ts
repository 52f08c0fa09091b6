// An operator's key rotation with overlap. The retiring key signs the notice: it names its
// successor (certified by the same CA) and the moment from which it is itself refused. Only a key
// can retire itself, so whoever holds one key cannot retire another, and a party that knows only
// the retiring key learns the successor from that key's own word.

import * as v from 'valibot';
import { OperatorCertificate } from './certificates';
import { OperatorId, Timestamp, envelopeOf, payloadHeader } from './primitives';

export const KeyRotationPayload = v.strictObject({
  ...payloadHeader('key-rotation'),
  operatorId: OperatorId,
  /** The certificate of the key that signs this notice and retires. */
  retiringCertificate: OperatorCertificate,
  /** The certificate of the key that takes over; the operator signs with it from the rotation on. */
  successorCertificate: OperatorCertificate,
  /** From this moment on, what the retiring key signs is refused. */
  retiresAt: Timestamp,
});
export type KeyRotationPayload = v.InferOutput<typeof KeyRotationPayload>;
export const KeyRotation = envelopeOf(KeyRotationPayload);
export type KeyRotation = v.InferOutput<typeof KeyRotation>;

export const KeyRotationAck = v.strictObject({ operatorId: OperatorId, retiresAt: Timestamp });
export type KeyRotationAck = v.InferOutput<typeof KeyRotationAck>;
