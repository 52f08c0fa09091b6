// The operator's own key as two of its processes on one store see it: the key one rotated to is
// what the other signs with and announces once it looks at the store, a rotation in either
// retires the key the store says is current, and a rotation that rolls back changes no one's key.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKeyRotation, fromBase64urlOfLength, signerFromSecretKey } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { resolveConfig } from '../config/config';
import { signOperatorCertificate } from '../provisioning/certificate-authority';
import { generateKeyPair } from '../provisioning/keys';
import { TWO_PROCESSES_ON_ONE_STORE } from '../store/testing/processes-on-one-store';
import { OwnKeys, rotationNoticeId } from './key-rotation';
import { OperatorIdentity } from './operator-identity';

const NOW_MS = 1_800_000_000_000;
const ca = generateKeyPair(nodeCrypto);
const caPublicKey = fromBase64urlOfLength(ca.publicKey, 32);
const configured = generateKeyPair(nodeCrypto);

const certified = (publicKey: string) =>
  signOperatorCertificate(
    nodeCrypto,
    ca.secretKey,
    { operatorId: 'op-se', publicKey, baseUrl: 'https://op-se.example', currencies: ['SEK'], validFor_days: 365 },
    NOW_MS,
  );

/** One operator's configuration, its key directory shared by both processes. */
function sharedConfig() {
  const dataDir = mkdtempSync(join(tmpdir(), 'opentab-own-keys-'));
  return resolveConfig(
    {
      operatorId: 'op-se',
      currency: 'SEK',
      listen: { host: '127.0.0.1', port: 7001 },
      publicUrl: 'https://op-se.example',
      dataDir,
      caPublicKey: ca.publicKey,
      certificateFile: './cert.json',
      adminToken: 'a-long-enough-admin-token',
      peers: [{ operatorId: 'op-us', baseUrl: 'https://op-us.example' }],
    },
    dataDir,
    { OPENTAB_OPERATOR_SECRET_KEY: configured.secretKey },
  );
}

/** A process's identity as it starts: the configured key. */
const startingIdentity = () =>
  new OperatorIdentity(
    'op-se',
    {
      signer: signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(configured.secretKey, 32)),
      certificate: certified(configured.publicKey),
    },
    caPublicKey,
  );

describe.each(TWO_PROCESSES_ON_ONE_STORE)("the operator's own key in two processes on $name", ({ open }) => {
  it('is the key one process rotated to that the other signs with, announces and retires next', async () => {
    const [a, b] = await open();
    const config = sharedConfig();
    const [identityA, identityB] = [startingIdentity(), startingIdentity()];
    const inA = new OwnKeys(nodeCrypto, identityA, config, a.ownKeys);
    const inB = new OwnKeys(nodeCrypto, identityB, config, b.ownKeys);

    const { publicKey: successor } = await a.transaction((tx) => inA.prepare(tx, NOW_MS));
    expect(await inB.prepared()).toEqual([successor]);
    const successorCertificate = certified(successor);
    const rotation = await a.transaction((tx) => inA.rotate(tx, successorCertificate, 3600, 'ana', NOW_MS));
    expect(rotation).toMatchObject({ retiringKey: configured.publicKey, successorKey: successor });
    expect((await a.outbox.undelivered(false, 10)).map((message) => message.recordId)).toEqual([
      rotationNoticeId(configured.publicKey),
    ]);
    await inA.useCurrentKey();
    expect(identityA.signer.kid).toBe(successor);

    // B announces A's rotation, and signs with the successor from its next look at the store.
    expect((await inB.rotations()).map((known) => known.notice)).toEqual([rotation.notice]);
    expect(identityB.signer.kid).toBe(configured.publicKey);
    await inB.useCurrentKey();
    expect(identityB.signer.kid).toBe(successor);
    expect(identityB.certificate).toEqual(successorCertificate);

    // A third process that never looked rotates from the store's current key, not its configured one.
    const identityC = startingIdentity();
    const inC = new OwnKeys(nodeCrypto, identityC, config, b.ownKeys);
    const { publicKey: next } = await b.transaction((tx) => inC.prepare(tx, NOW_MS + 1));
    const second = await b.transaction((tx) => inC.rotate(tx, certified(next), 60, 'bo', NOW_MS + 2));
    expect(second).toMatchObject({ retiringKey: successor, successorKey: next });
    expect(checkKeyRotation(nodeCrypto, caPublicKey, second.notice)).toMatchObject({
      ok: true,
      retiringKey: successor,
      successorKey: next,
    });
    await inA.useCurrentKey();
    expect(identityA.signer.kid).toBe(next);
  });

  it('leaves every process on the current key when the rotation rolls back', async () => {
    const [a, b] = await open();
    const config = sharedConfig();
    const [identityA, identityB] = [startingIdentity(), startingIdentity()];
    const inA = new OwnKeys(nodeCrypto, identityA, config, a.ownKeys);
    const inB = new OwnKeys(nodeCrypto, identityB, config, b.ownKeys);
    const { publicKey: successor } = await a.transaction((tx) => inA.prepare(tx, NOW_MS));
    await expect(
      a.transaction(async (tx) => {
        await inA.rotate(tx, certified(successor), 3600, 'ana', NOW_MS);
        throw new Error('the staff log line could not be written');
      }),
    ).rejects.toThrow('staff log line');
    await Promise.all([inA.useCurrentKey(), inB.useCurrentKey()]);
    expect([identityA.signer.kid, identityB.signer.kid]).toEqual([configured.publicKey, configured.publicKey]);
    expect(await inB.rotations()).toEqual([]);
    expect(await inB.prepared()).toEqual([successor]);
    expect(await a.outbox.undelivered(false, 10)).toEqual([]);
  });
});
