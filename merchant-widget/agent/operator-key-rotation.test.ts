// The merchant agent follows its operator's key rotation, against real operators over HTTP: the
// merchant operator rotates while a merchant keeps selling; purchases and clearings go on before,
// during and after the overlap, a message under the retired key is refused, and what the agent
// learned outlives its restart. A notice that does not hold (signed by another key, or naming a
// successor the CA did not certify) moves the agent nowhere. Runs on SQLite and on PostgreSQL.

import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatTimestamp,
  fromBase64urlOfLength,
  type KeyRotationPayload,
  OPERATOR_API,
  type OperatorInfo,
  type PayloadBody,
  type RecordRequestPayload,
  seal,
  signerFromSecretKey,
  toBase64url,
} from '@opentab/protocol';
import { nodeCrypto, waitFor } from '@opentab/test-kit';
import { storeFor } from '@opentab/test-kit/merchant-agent';
import {
  certifyWithCa,
  certifyWithWorldCa,
  configuredSecretKey,
  hundredArticles,
  MERCHANT_OPERATOR,
  startMerchantSite,
  worldPerTest,
  type MerchantSite,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

let w: TwoOperatorWorld;
worldPerTest((started) => (w = started));

const eu = () => w.world.operator(MERCHANT_OPERATOR);
const HOUR_MS = 3600 * 1000;
const OVERLAP_MS = 600 * 1000;
const SHOP = 'rotating-shop';
const articleOne = { currency: 'EUR', value: hundredArticles().find((a) => a.itemId === 'article-1')!.price };
type Customer = Awaited<ReturnType<TwoOperatorWorld['newCustomer']>>;

/** A merchant of op-eu on the store under test, registered there as a shop with its own agent. */
async function startShop(): Promise<MerchantSite> {
  const dir = mkdtempSync(join(w.dir, 'shop-'));
  const site = await startMerchantSite({
    merchantId: SHOP,
    operatorUrl: eu().url,
    operatorPublicKey: eu().running.context.identity.signer.kid,
    operatorId: MERCHANT_OPERATOR,
    currency: 'EUR',
    catalogue: hundredArticles(),
    dir,
    clock: w.clock,
    store: await storeFor(dir),
  });
  await eu().admin.call('registerMerchant', {
    merchantId: SHOP,
    displayName: 'The Rotating Shop',
    currency: 'EUR',
    origins: [site.url],
    agentUrl: site.agentUrl,
    publicKey: site.agent.publicKey,
  });
  return site;
}

const openTab = (customer: Customer) =>
  customer.openTab({
    merchantId: SHOP,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '20.00' },
  });

/** A record request for a tab, as the MTA sends it, signed with the given secret key. */
function recordRequestSignedWith(secretKey: string, tabId: string) {
  return seal(
    nodeCrypto,
    signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(secretKey, 32)),
    {
      type: 'record-request',
      operatorId: MERCHANT_OPERATOR,
      merchantId: SHOP,
      tabId,
    } satisfies PayloadBody<RecordRequestPayload>,
    w.clock.now_ms(),
  );
}

async function post(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
}

async function clearedAtShop(site: MerchantSite, tabId: string) {
  return waitFor(
    `the shop to hear that ${tabId} cleared`,
    async () => {
      const tab = await site.agent.tab(tabId);
      return tab?.status === 'cleared' ? tab : undefined;
    },
    15_000,
    50,
  );
}

/** The clearing reaches the shop and the customer's AM on their own paths: the books agree once both have it. */
async function clearedAtAm(customer: Customer, tabId: string) {
  await waitFor(
    `the AM to capture the hold of ${tabId}`,
    async () => (await customer.account()).tabs.find((entry) => entry.tabId === tabId)?.state === 'cleared',
    15_000,
    50,
  );
}

async function conclude(site: MerchantSite, customer: Customer, tab: Awaited<ReturnType<typeof openTab>>) {
  await site.agent.stop(tab.tabId);
  await waitFor(
    'the MTA to acknowledge the record',
    async () => (await site.agent.recordDelivery(tab.tabId))?.acknowledged === true,
    15_000,
    50,
  );
  await customer.sendRecord(tab);
  const cleared = await clearedAtShop(site, tab.tabId);
  await clearedAtAm(customer, tab.tabId);
  return cleared;
}

describe("the merchant agent and its operator's key rotation", () => {
  it('keeps selling and clearing before, during and after the overlap, and refuses the retired key after it', async () => {
    const site = await startShop();
    try {
      const customer = await w.newCustomer('100.00');
      const before = await openTab(customer);
      await before.buy(site.agentUrl, 'article-1', articleOne);

      const oldSecret = configuredSecretKey(eu());
      const oldKey = eu().running.context.identity.signer.kid;
      const prepared = await eu().admin.call('prepareKey', {});
      await eu().admin.call('rotateKey', {
        certificate: certifyWithWorldCa(w.dir, prepared, w.clock.now_ms()),
        overlap_s: 600,
      });
      expect(eu().running.context.identity.signer.kid).toBe(prepared.publicKey);

      // During the overlap: a tab opens under the new key (the agent learns it from op-eu's notice),
      // the tab opened before still buys, and the old key is still believed.
      const during = await openTab(customer);
      await during.buy(site.agentUrl, 'article-1', articleOne);
      await before.buy(site.agentUrl, 'article-1', articleOne);
      const underOldKey = await post(
        `${site.agentUrl}${'/mta/record-request'}`,
        recordRequestSignedWith(oldSecret, before.tabId),
      );
      expect(underOldKey.status).toBe(200);
      // The tab the old key stopped clears under the new one.
      await customer.sendRecord(before);
      expect((await clearedAtShop(site, before.tabId)).cleared).toMatchObject({
        amount: { currency: 'EUR', minor: 16n }, // two articles at 0.08
        outcome: 'agreed',
      });
      await clearedAtAm(customer, before.tabId);

      // After the retirement: the old key is refused with a stable code; the new one goes on.
      await w.elapse(OVERLAP_MS);
      const after = await openTab(customer);
      await after.buy(site.agentUrl, 'article-1', articleOne);
      const refused = await post(
        `${site.agentUrl}/mta/record-request`,
        recordRequestSignedWith(oldSecret, after.tabId),
      );
      expect(refused).toMatchObject({ status: 403, body: { error: { code: 'key_retired' } } });
      expect((await site.agent.tab(after.tabId))?.status).toBe('open');
      for (const tab of [during, after]) await conclude(site, customer, tab);

      // A restart keeps what the agent learned: the retired key stays refused, the successor believed.
      await site.stopAgent();
      await site.startAgent();
      const again = await post(`${site.agentUrl}/mta/record-request`, recordRequestSignedWith(oldSecret, after.tabId));
      expect(again).toMatchObject({ status: 403, body: { error: { code: 'key_retired' } } });
      const lastly = await openTab(customer);
      await lastly.buy(site.agentUrl, 'article-1', articleOne);
      await conclude(site, customer, lastly);
      expect(oldKey).not.toBe(prepared.publicKey);
    } finally {
      await site.close();
    }
  });

  it('follows no notice that does not hold: one another key signed, or naming a successor the CA did not certify', async () => {
    const operatorSecret = configuredSecretKey(eu());
    const realCertificate = eu().running.context.identity.certificate;
    const attackerSecret = toBase64url(nodeCrypto.randomBytes(32));
    const attacker = signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(attackerSecret, 32));
    const fakeCa = toBase64url(nodeCrypto.randomBytes(32));
    const attackerCertificate = certifyWithCa(
      fakeCa,
      { publicKey: attacker.kid, operatorId: MERCHANT_OPERATOR, baseUrl: eu().url, currencies: ['EUR'] },
      w.clock.now_ms(),
    );
    const notice = (signer: ReturnType<typeof signerFromSecretKey>) =>
      seal(
        nodeCrypto,
        signer,
        {
          type: 'key-rotation',
          operatorId: MERCHANT_OPERATOR,
          retiringCertificate: realCertificate,
          successorCertificate: attackerCertificate,
          retiresAt: formatTimestamp(w.clock.now_ms() + HOUR_MS),
        } satisfies PayloadBody<KeyRotationPayload>,
        w.clock.now_ms(),
      );
    const forgedInfo: OperatorInfo = {
      operatorId: MERCHANT_OPERATOR,
      currency: 'EUR',
      certificate: realCertificate,
      rotations: [
        // Signed by the attacker, not by the key it claims to retire.
        notice(attacker),
        // Signed by the operator's own key, but the successor's certificate is not the CA's.
        notice(signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(operatorSecret, 32))),
      ],
    };
    // A server posing as op-eu that shows the forged notices.
    let reads = 0;
    const impostor = createServer((request, response) => {
      if (request.url === OPERATOR_API.operatorInfo.path) reads++;
      response
        .writeHead(request.url === OPERATOR_API.operatorInfo.path ? 200 : 404, { 'content-type': 'application/json' })
        .end(JSON.stringify(forgedInfo));
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(w.dir, 'forged-'));
    const site = await startMerchantSite({
      merchantId: SHOP,
      operatorUrl: `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`,
      operatorPublicKey: realCertificate.payload.publicKey,
      operatorId: MERCHANT_OPERATOR,
      currency: 'EUR',
      catalogue: hundredArticles(),
      dir,
      clock: w.clock,
      store: await storeFor(dir),
    });
    try {
      const readsBefore = reads;
      const forged = await post(
        `${site.agentUrl}/mta/record-request`,
        recordRequestSignedWith(attackerSecret, 'tab_0123456789abcdef01234567'),
      );
      expect(forged).toMatchObject({ status: 401, body: { error: { code: 'bad_signature' } } });
      // The agent did read the notices before refusing, and followed neither.
      expect(reads).toBeGreaterThan(readsBefore);
      // The operator's own key is still the one believed: its request passes the signature check.
      const genuine = await post(
        `${site.agentUrl}/mta/record-request`,
        recordRequestSignedWith(operatorSecret, 'tab_0123456789abcdef01234567'),
      );
      expect(genuine).toMatchObject({ status: 404, body: { error: { code: 'unknown_tab' } } });
      // Nor does a restart believe anything else.
      await site.stopAgent();
      await site.startAgent();
      const forgedAgain = await post(
        `${site.agentUrl}/mta/record-request`,
        recordRequestSignedWith(attackerSecret, 'tab_0123456789abcdef01234567'),
      );
      expect(forgedAgain).toMatchObject({ status: 401, body: { error: { code: 'bad_signature' } } });
    } finally {
      await site.close();
      await new Promise<void>((resolve) => impostor.close(() => resolve()));
    }
  });
});
