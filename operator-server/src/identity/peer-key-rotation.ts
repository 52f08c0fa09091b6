// A peer operator's key rotation notice, pushed to this operator: checked against the CA and the
// retiring key's own signature, then kept, so that the key is refused here from its retirement on.

import { formatTimestamp, OpentabError, type KeyRotation, type KeyRotationAck } from '@opentab/protocol';
import type { OperatorContext } from '../operator-context';

export async function receiveKeyRotation(
  context: OperatorContext,
  notice: KeyRotation,
  now_ms: number,
): Promise<KeyRotationAck> {
  const operatorId = notice.payload.operatorId;
  if (operatorId === context.identity.operatorId || !context.peers.knows(operatorId))
    throw new OpentabError('unknown_peer', `Operator ${operatorId} is not a configured peer of this operator.`);
  const taken = await context.trust.takeRotation(notice, now_ms);
  if (!taken.ok) throw new OpentabError('uncertified_peer', `The key rotation notice does not hold: ${taken.problem}.`);
  const retiresAt = formatTimestamp(taken.kept.retiresAt_ms);
  context.log.info('peer.key-rotation', {
    peer: operatorId,
    retiring: taken.retiringKey,
    successor: taken.successorKey,
    retiresAt,
  });
  return { operatorId: context.identity.operatorId, retiresAt };
}
