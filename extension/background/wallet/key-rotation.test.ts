// The wallet across its operator's key rotation, against real operators over HTTP: enrolled under
// the old key, it takes the operator's new signatures (rate table, vouch, tab opening) by the
// notice the old key signed, moves its enrolment on to the new key, believes the old key during
// the overlap and no longer after it.

import { describe, expect, it } from 'vitest';
import { callRoute, nobleCrypto, OPERATOR_API } from '@opentab/protocol';
import { certifyWithWorldCa } from '@opentab/test-kit/worlds';
import { agentWorldPerTest, ARTICLE_1, expectOk, expectPaid, type AgentWorld } from '../testing/agent-world';
import { believedKey, followRotations } from './operator-keys';

let w: AgentWorld;
agentWorldPerTest((started) => {
  w = started;
});

const se = () => w.world.world.operator('op-se');

async function rotate(overlap_s: number) {
  const prepared = await se().admin.call('prepareKey', {});
  const certificate = certifyWithWorldCa(w.world.dir, prepared, w.world.clock.now_ms());
  return se().admin.call('rotateKey', { certificate, overlap_s });
}

describe('the operator’s key rotation', () => {
  it('is followed by a wallet enrolled before it: new signatures are taken and the enrolment moves on', async () => {
    await w.readyWallet();
    const oldKey = (await w.db.meta.get('enrolment'))!.operatorPublicKey;
    const rotation = await rotate(3600);
    expect(rotation.retiringKey).toBe(oldKey);

    // A rate table, a vouch and a tab opening, all signed with the new key: the payment goes through.
    expectOk(await w.ui('refreshRates', {}));
    expect((await w.db.meta.get('enrolment'))!.operatorPublicKey).toBe(rotation.successorKey);
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
  });

  it('believes the retiring key during the overlap only, and only by a notice the CA’s certificates bear out', async () => {
    await w.readyWallet();
    const enrolment = (await w.db.meta.get('enrolment'))!;
    const rotation = await rotate(3600);
    const info = await callRoute(se().url, OPERATOR_API.operatorInfo, undefined);
    const following = followRotations(nobleCrypto, enrolment, info.rotations ?? []);
    expect(following.enrolment.operatorPublicKey).toBe(rotation.successorKey);
    const retiresAt_ms = Date.parse(rotation.retiresAt);
    expect(believedKey(following, rotation.retiringKey, retiresAt_ms - 1)).toBe(true);
    expect(believedKey(following, rotation.retiringKey, retiresAt_ms)).toBe(false);
    expect(believedKey(following, rotation.successorKey, retiresAt_ms + 1)).toBe(true);

    // A notice whose signature does not hold moves nothing.
    const [notice] = info.rotations!;
    const forged = {
      ...notice!,
      sig: `${notice!.sig.slice(0, 10)}${notice!.sig[10] === 'A' ? 'B' : 'A'}${notice!.sig.slice(11)}`,
    };
    const unmoved = followRotations(nobleCrypto, enrolment, [forged]);
    expect(unmoved.enrolment).toEqual(enrolment);
    expect(believedKey(unmoved, rotation.successorKey, retiresAt_ms - 1)).toBe(false);
  });
});
