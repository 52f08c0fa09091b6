// The operator's key rotation with overlap, between two operators over real HTTP: the customer's
// operator prepares a successor key, the CA certifies it, and it rotates. Its peer takes the
// notice, believes both keys during the overlap, and refuses the retired key after it; a tab in
// flight across the rotation and the retirement still clears, and new tabs open under the new key.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  callRoute,
  fromBase64urlOfLength,
  OPERATOR_API,
  seal,
  signerFromSecretKey,
  type MerchantLookupPayload,
  type OperatorCertificate,
  type PayloadBody,
} from '@opentab/protocol';
import { nodeCrypto, waitFor } from '@opentab/test-kit';
import {
  CUSTOMER_OPERATOR,
  hundredArticles,
  MERCHANT_OPERATOR,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { loadConfigFile } from '../src/config/config';
import { OwnKeys } from '../src/identity/key-rotation';
import { OperatorIdentity } from '../src/identity/operator-identity';
import { PeerKeyRetirements } from '../src/identity/peer-key-retirements';
import { signOperatorCertificate } from '../src/provisioning/certificate-authority';
import { readKeyPair } from '../src/provisioning/keys';
import { send } from '../testing/http';

let w: TwoOperatorWorld;
worldPerTest((started) => (w = started));

const se = () => w.world.operator(CUSTOMER_OPERATOR);
const eu = () => w.world.operator(MERCHANT_OPERATOR);
const HOUR_MS = 3600 * 1000;
type Customer = Awaited<ReturnType<TwoOperatorWorld['newCustomer']>>;

const openTab = (customer: Customer) =>
  customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '20.00' },
  });
const articleOne = { currency: 'EUR', value: hundredArticles().find((a) => a.itemId === 'article-1')!.price };

/** What the CA does out of band: certify the prepared key for the operator, as `opentab-operator ca-sign` would. */
function certify(prepared: { publicKey: string; operatorId: string; baseUrl: string; currencies: string[] }) {
  const ca = readKeyPair(nodeCrypto, join(w.dir, 'ca', 'ca.key'));
  return signOperatorCertificate(nodeCrypto, ca.secretKey, { ...prepared, validFor_days: 365 }, w.clock.now_ms());
}

/** A merchant lookup op-se signs with the given key under the given certificate, sent to op-eu. */
function lookupSignedWith(secretKey: string, certificate: OperatorCertificate) {
  const lookup = seal(
    nodeCrypto,
    signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(secretKey, 32)),
    {
      type: 'merchant-lookup',
      operatorCertificate: certificate,
      merchantId: w.merchantId,
    } satisfies PayloadBody<MerchantLookupPayload>,
    w.clock.now_ms(),
  );
  return send(`${eu().url}${OPERATOR_API.peerMerchantLookup.path}`, { body: lookup });
}

async function chargedOn(customer: Customer, tabId: string) {
  return waitFor(
    'the AM to capture',
    async () => {
      const found = (await customer.account()).tabs.find((t) => t.tabId === tabId);
      return found?.state === 'cleared' ? found : undefined;
    },
    10_000,
    100,
  );
}

describe('key rotation with overlap', () => {
  it('is believed in both keys during the overlap, refuses the old after it, and loses nothing in flight', async () => {
    const customer = await w.newCustomer('100.00');
    const inFlight = await openTab(customer);
    await inFlight.buy(w.merchant.agentUrl, 'article-1', articleOne);

    const oldSecret = loadConfigFile(se().configPath, {}).secretKey;
    const oldCertificate = se().running.context.identity.certificate;
    const prepared = await se().admin.call('prepareKey', {});
    const certificate = certify(prepared);
    const rotation = await se().admin.call('rotateKey', { certificate, overlap_s: 3600 });
    expect(rotation).toMatchObject({
      retiringKey: oldCertificate.payload.publicKey,
      successorKey: prepared.publicKey,
      retired: false,
      rotatedBy: 'admin',
    });
    // op-se now signs with the new key and says so, with the notice its old key signed.
    const info = await callRoute(se().url, OPERATOR_API.operatorInfo, undefined);
    expect(info.certificate.payload.publicKey).toBe(prepared.publicKey);
    expect(info.rotations?.[0]?.kid).toBe(oldCertificate.payload.publicKey);
    // Its rate table too, signed again although the quotes did not change: the old key will be refused.
    expect((await callRoute(se().url, OPERATOR_API.rateTable, undefined)).kid).toBe(prepared.publicKey);

    // The notice reaches op-eu through op-se's outbox.
    await w.elapse(0);
    await waitFor('op-eu to take the notice', async () => {
      const keys = await eu().admin.call('listKeys', undefined);
      return keys.peerRetirements.some((r) => r.publicKey === oldCertificate.payload.publicKey);
    });

    // During the overlap: both keys are believed by the peer.
    expect((await lookupSignedWith(oldSecret, oldCertificate)).status).toBe(200);
    const newSecret = readKeyPair(
      nodeCrypto,
      join(se().running.context.config.dataDir, 'keys', `${prepared.publicKey}.key`),
    ).secretKey;
    expect((await lookupSignedWith(newSecret, certificate)).status).toBe(200);
    // A tab opens under the new key, end to end.
    const afterRotation = await openTab(customer);
    await afterRotation.buy(w.merchant.agentUrl, 'article-1', articleOne);

    // After the retirement: the old key is refused with a stable code, the new one still works.
    await w.elapse(HOUR_MS);
    const refused = await lookupSignedWith(oldSecret, oldCertificate);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('key_retired');
    expect((await lookupSignedWith(newSecret, certificate)).status).toBe(200);
    expect((await se().admin.call('listKeys', undefined)).rotations).toEqual([{ ...rotation, retired: true }]);

    // The tab opened before the rotation and the one opened during the overlap both clear.
    for (const tab of [inFlight, afterRotation]) {
      await w.merchant.agent.stop(tab.tabId);
      await w.merchantRecordAcknowledged(tab.tabId);
      await customer.sendRecord(tab);
    }
    expect((await chargedOn(customer, inFlight.tabId)).charged).toEqual({ currency: 'SEK', value: '0.91' });
    expect((await chargedOn(customer, afterRotation.tabId)).charged).toEqual({ currency: 'SEK', value: '0.91' });
  });

  it('keeps the new key across a restart of the rotated operator, and the retirement across one of its peer', async () => {
    const oldCertificate = se().running.context.identity.certificate;
    const prepared = await se().admin.call('prepareKey', {});
    await se().admin.call('rotateKey', { certificate: certify(prepared), overlap_s: 0 });
    await w.elapse(0);
    await waitFor('op-eu to take the notice', async () => {
      const keys = await eu().admin.call('listKeys', undefined);
      return keys.peerRetirements.length === 1;
    });
    // Both read their files again as a restart would: op-se from its configured (old) key on.
    const seContext = se().running.context;
    const configuredSecret = fromBase64urlOfLength(loadConfigFile(se().configPath, {}).secretKey, 32);
    const identity = new OperatorIdentity(
      seContext.identity.operatorId,
      { signer: signerFromSecretKey(nodeCrypto, configuredSecret), certificate: oldCertificate },
      seContext.identity.caPublicKey,
    );
    new OwnKeys(seContext.db, nodeCrypto, identity, seContext.config, se().running.sqlite!.outbox).resume();
    expect(identity.signer.kid).toBe(prepared.publicKey);
    const retirements = new PeerKeyRetirements(eu().running.context.db);
    expect(retirements.retiresAt(CUSTOMER_OPERATOR, oldCertificate.payload.publicKey)).toBe(w.clock.now_ms());
  });

  it('refuses a certificate the CA did not sign, or for a key not prepared here, and changes nothing', async () => {
    const before = se().running.context.identity.signer.kid;
    const prepared = await se().admin.call('prepareKey', {});
    const unprepared = certify({ ...prepared, publicKey: eu().running.context.identity.signer.kid });
    await expect(se().admin.call('rotateKey', { certificate: unprepared, overlap_s: 60 })).rejects.toMatchObject({
      failure: { code: 'unknown_key' },
    });
    const forged = { ...certify(prepared), sig: certify(prepared).sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) };
    await expect(se().admin.call('rotateKey', { certificate: forged, overlap_s: 60 })).rejects.toMatchObject({
      failure: { code: 'uncertified_peer' },
    });
    const anonymous = await send(`${se().url}/v1/admin/keys/prepared`, { body: {} });
    expect(anonymous.status).toBe(401);
    expect(se().running.context.identity.signer.kid).toBe(before);
    expect((await se().admin.call('listKeys', undefined)).rotations).toEqual([]);
  });
});
