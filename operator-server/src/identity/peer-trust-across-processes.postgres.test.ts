// A peer's retired key as two operator processes on one store see it: a rotation notice one
// process took is refused by the other from the retirement on, however warm that one's cache of
// CA-checked certificates, and a later notice taken by the other never makes the retirement later.

import { describe, expect, it } from 'vitest';
import {
  fromBase64urlOfLength,
  formatTimestamp,
  type KeyRotation,
  type KeyRotationPayload,
  type MerchantLookup,
  type MerchantLookupPayload,
  type OperatorCertificate,
  type PayloadBody,
  seal,
  signerFromSecretKey,
} from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { signOperatorCertificate } from '../provisioning/certificate-authority';
import { generateKeyPair, type KeyPair } from '../provisioning/keys';
import { TWO_PROCESSES_ON_ONE_STORE } from '../store/testing/processes-on-one-store';
import { PeerTrust } from './peer-trust';

const NOW_MS = 1_800_000_000_000;
const HOUR_MS = 3_600_000;
const PEER = 'op-us';

const ca = generateKeyPair(nodeCrypto);
const signer = (keys: KeyPair) => signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(keys.secretKey, 32));

function certified(keys: KeyPair): OperatorCertificate {
  return signOperatorCertificate(
    nodeCrypto,
    ca.secretKey,
    {
      operatorId: PEER,
      publicKey: keys.publicKey,
      baseUrl: 'https://op-us.example',
      currencies: ['USD'],
      validFor_days: 365,
    },
    NOW_MS,
  );
}

/** What the peer sends: a merchant lookup signed with `keys` under their certificate. */
function lookupSignedWith(keys: KeyPair): MerchantLookup {
  return seal(
    nodeCrypto,
    signer(keys),
    {
      type: 'merchant-lookup',
      operatorCertificate: certified(keys),
      merchantId: 'shop-1',
    } satisfies PayloadBody<MerchantLookupPayload>,
    NOW_MS,
  );
}

/** The peer's notice, signed by the retiring key unless told otherwise, that it retires at `retiresAt_ms`. */
function rotationNotice(
  retiring: KeyPair,
  successor: KeyPair,
  retiresAt_ms: number,
  signedBy: KeyPair = retiring,
): KeyRotation {
  return seal(
    nodeCrypto,
    signer(signedBy),
    {
      type: 'key-rotation',
      operatorId: PEER,
      retiringCertificate: certified(retiring),
      successorCertificate: certified(successor),
      retiresAt: formatTimestamp(retiresAt_ms),
    } satisfies PayloadBody<KeyRotationPayload>,
    NOW_MS,
  );
}

describe.each(TWO_PROCESSES_ON_ONE_STORE)("a peer's retired key in two operator processes on $name", ({ open }) => {
  const caPublicKey = fromBase64urlOfLength(ca.publicKey, 32);

  it('is refused by one process from the retirement the other took on', async () => {
    const [a, b] = await open();
    const inA = new PeerTrust(nodeCrypto, caPublicKey, a.peerKeyRetirements);
    const inB = new PeerTrust(nodeCrypto, caPublicKey, b.peerKeyRetirements);
    const retiring = generateKeyPair(nodeCrypto);
    const successor = generateKeyPair(nodeCrypto);
    const oldKeyLookup = lookupSignedWith(retiring);
    // B has checked the old key's certificate already, and keeps that check.
    expect((await inB.verifyPeerEnvelope(oldKeyLookup, NOW_MS)).publicKey).toBe(retiring.publicKey);

    const taken = await inA.takeRotation(rotationNotice(retiring, successor, NOW_MS + HOUR_MS), NOW_MS);
    expect(taken).toMatchObject({ ok: true, kept: { retiresAt_ms: NOW_MS + HOUR_MS } });

    // During the overlap B believes both keys; from the retirement on, the old one no longer.
    expect((await inB.verifyPeerEnvelope(oldKeyLookup, NOW_MS + 1)).publicKey).toBe(retiring.publicKey);
    await expect(inB.verifyPeerEnvelope(oldKeyLookup, NOW_MS + HOUR_MS)).rejects.toMatchObject({
      code: 'key_retired',
    });
    await expect(inB.verifyAnswerFrom(PEER, oldKeyLookup, NOW_MS + HOUR_MS)).rejects.toMatchObject({
      code: 'key_retired',
    });
    expect(await inB.isRetired(certified(retiring).payload, NOW_MS + HOUR_MS)).toBe(true);
    expect((await inB.verifyPeerEnvelope(lookupSignedWith(successor), NOW_MS + HOUR_MS)).publicKey).toBe(
      successor.publicKey,
    );
  });

  it('keeps the retirement one process took when the other takes a later notice, and takes an earlier one', async () => {
    const [a, b] = await open();
    const inA = new PeerTrust(nodeCrypto, caPublicKey, a.peerKeyRetirements);
    const inB = new PeerTrust(nodeCrypto, caPublicKey, b.peerKeyRetirements);
    const retiring = generateKeyPair(nodeCrypto);
    const successor = generateKeyPair(nodeCrypto);
    await inA.takeRotation(rotationNotice(retiring, successor, NOW_MS + HOUR_MS), NOW_MS);

    const later = await inB.takeRotation(rotationNotice(retiring, successor, NOW_MS + 5 * HOUR_MS), NOW_MS + 1);
    expect(later).toMatchObject({ ok: true, kept: { retiresAt_ms: NOW_MS + HOUR_MS, receivedAt_ms: NOW_MS } });
    await expect(inB.verifyPeerEnvelope(lookupSignedWith(retiring), NOW_MS + HOUR_MS)).rejects.toMatchObject({
      code: 'key_retired',
    });

    await inB.takeRotation(rotationNotice(retiring, successor, NOW_MS + 1), NOW_MS + 1);
    await expect(inA.verifyPeerEnvelope(lookupSignedWith(retiring), NOW_MS + 1)).rejects.toMatchObject({
      code: 'key_retired',
    });
  });

  it('changes nothing for a notice the retiring key did not sign', async () => {
    const [a, b] = await open();
    const inA = new PeerTrust(nodeCrypto, caPublicKey, a.peerKeyRetirements);
    const inB = new PeerTrust(nodeCrypto, caPublicKey, b.peerKeyRetirements);
    const retiring = generateKeyPair(nodeCrypto);
    const successor = generateKeyPair(nodeCrypto);
    const signedBySuccessor = rotationNotice(retiring, successor, NOW_MS, successor);
    expect((await inA.takeRotation(signedBySuccessor, NOW_MS)).ok).toBe(false);
    expect((await inB.verifyPeerEnvelope(lookupSignedWith(retiring), NOW_MS + HOUR_MS)).publicKey).toBe(
      retiring.publicKey,
    );
    expect(await b.peerKeyRetirements.peerKeyRetirements()).toEqual([]);
  });
});
