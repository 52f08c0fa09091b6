// The operator's decisions on a merchant's disputed tabs reach the merchant agent, against real
// operators over HTTP: an uphold and an adjustment each arrive, signed, with the reason, and are
// kept once even when the MTA sends them again because the agent's first answer was lost. A
// decision not signed by the operator is refused and changes nothing. Runs on SQLite and PostgreSQL.

import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  callRoute,
  type MerchantDisputeDecisionPayload,
  OPERATOR_API,
  type PayloadBody,
  type SignedDisputeResolution,
  seal,
  signerFromSecretKey,
  toBase64url,
  verifyEnvelope,
  fromBase64urlOfLength,
} from '@opentab/protocol';
import { nodeCrypto, waitFor } from '@opentab/test-kit';
import { storeFor } from '@opentab/test-kit/merchant-agent';
import {
  hundredArticles,
  MERCHANT_OPERATOR,
  merchantStopRecord,
  startMerchantSite,
  StoredTables,
  worldPerTest,
  type MerchantSite,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

let w: TwoOperatorWorld;
worldPerTest((started) => (w = started));

const eu = () => w.world.operator(MERCHANT_OPERATOR);
const SHOP = 'disputed-shop';
const merchantSecretKey = toBase64url(nodeCrypto.randomBytes(32));
const eur = (value: string) => ({ currency: 'EUR', value });
const price = (itemId: string) => eur(hundredArticles().find((a) => a.itemId === itemId)!.price);
const decisionRecordId = (tabId: string) => `merchant-dispute-decision:${tabId}`;

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
    merchantSecretKey,
    store: await storeFor(dir),
  });
  await eu().admin.call('registerMerchant', {
    merchantId: SHOP,
    displayName: 'The Disputed Shop',
    currency: 'EUR',
    origins: [site.url],
    agentUrl: site.agentUrl,
    publicKey: site.agent.publicKey,
  });
  return site;
}

/** Three articles (0.45 EUR) while the merchant's record claims 5.00: the MTA clears 0.45 and records a dispute. */
async function disputedTab(site: MerchantSite) {
  const customer = await w.newCustomer('100.00');
  const tab = await customer.openTab({
    merchantId: SHOP,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '50.00' },
  });
  for (const itemId of ['article-1', 'article-2', 'article-3']) await tab.buy(site.agentUrl, itemId, price(itemId));
  await callRoute(
    eu().url,
    OPERATOR_API.merchantRecord,
    merchantStopRecord(merchantSecretKey, SHOP, tab, { count: 3, total: eur('5.00'), lastChainIndex: 45 }),
  );
  await customer.sendRecord(tab);
  await site.agent.stop(tab.tabId);
  await waitFor(
    'the agent to learn the disputed clearing',
    async () => (await site.agent.tab(tab.tabId))?.cleared?.outcome === 'disputed',
  );
  const dispute = (await eu().admin.call('listDisputes', undefined)).find((d) => d.tabId === tab.tabId)!;
  return { tab, disputeId: dispute.disputeId };
}

/** The MTA's outbox messages of the decision of `tabId` (one: to the merchant agent), on either store. */
async function decisionMessages(tabId: string) {
  const recordId = decisionRecordId(tabId);
  const mentioning = await eu().running.context.storage.tabs.outboxRowsMentioning(recordId);
  return mentioning.filter((row) => row.recordId === recordId);
}

/** The decision message the MTA's outbox holds for `tabId`, as it is sent. */
async function decisionSent(tabId: string): Promise<{ resolution: SignedDisputeResolution }> {
  const tables = StoredTables.ofOperator(eu());
  try {
    const [row] = await tables.query('SELECT payload FROM outbox WHERE record_id = ?', [decisionRecordId(tabId)]);
    return JSON.parse(row!.payload as string) as { resolution: SignedDisputeResolution };
  } finally {
    await tables.close();
  }
}

/** Runs the MTA's outbox until the decision for the tab is delivered, and says how many attempts it took. */
async function deliveredAfter(tabId: string): Promise<number> {
  const row = await waitFor('the MTA to deliver the decision to the merchant', async () => {
    await w.elapse(1_000);
    const [sent] = await decisionMessages(tabId);
    return sent?.deliveredAt != null ? sent : undefined;
  });
  return row.attempts;
}

describe("the operator's dispute decisions at the merchant agent", () => {
  it('arrive once each, an uphold and an adjustment, with the reason, even when sent twice', async () => {
    const site = await startShop();
    try {
      const upheld = await disputedTab(site);
      const adjusted = await disputedTab(site);
      expect(await site.agent.disputeDecision(upheld.tab.tabId)).toBeNull();

      // Both decisions are made while the agent is out of reach, so that both come due again at
      // the same time, whenever the operator's timer tried them first.
      site.blockRoute('/mta/dispute-decision');
      await eu().admin.call(
        'resolveDispute',
        { decision: 'uphold', reason: 'The chain proves three articles.' },
        { disputeId: upheld.disputeId },
      );
      await eu().admin.call(
        'resolveDispute',
        { decision: 'adjust', cleared: eur('0.30'), reason: 'One article never loaded.' },
        { disputeId: adjusted.disputeId },
      );
      await waitFor('a first attempt at each decision', async () => {
        await w.elapse(0);
        for (const { tab } of [upheld, adjusted])
          if (((await decisionMessages(tab.tabId))[0]?.attempts ?? 0) === 0) return false;
        return true;
      });
      // Then the agent takes each decision, but its answers are lost: the MTA must send each again.
      site.blockRoute('/mta/dispute-decision', false);
      site.loseAnswers('/mta/dispute-decision', 2);
      // Refused while out of reach, taken with the answer lost, taken again: three attempts at least.
      expect(await deliveredAfter(upheld.tab.tabId)).toBeGreaterThanOrEqual(3);
      expect(await deliveredAfter(adjusted.tab.tabId)).toBeGreaterThanOrEqual(3);
      expect(await decisionMessages(upheld.tab.tabId)).toHaveLength(1);

      expect(await site.agent.disputeDecision(upheld.tab.tabId)).toMatchObject({
        disputeId: upheld.disputeId,
        decision: 'uphold',
        clearedBefore: { currency: 'EUR', minor: 45n },
        clearedAfter: { currency: 'EUR', minor: 45n },
        reason: 'The chain proves three articles.',
      });
      expect(await site.agent.disputeDecision(adjusted.tab.tabId)).toMatchObject({
        disputeId: adjusted.disputeId,
        decision: 'adjust',
        clearedBefore: { currency: 'EUR', minor: 45n },
        clearedAfter: { currency: 'EUR', minor: 30n },
        revision: 1,
        reason: 'One article never loaded.',
      });
      // The adjustment's money arrives as the tab's revised clearing.
      await waitFor(
        'the revised clearing to reach the agent',
        async () => (await site.agent.tab(adjusted.tab.tabId))?.cleared?.amount.minor === 30n,
      );
    } finally {
      await site.close();
    }
  });

  it('refuses a decision the operator did not sign, and keeps nothing of it', async () => {
    const site = await startShop();
    try {
      const { tab, disputeId } = await disputedTab(site);
      // The genuine decision cannot get through until the impostor has tried.
      site.blockRoute('/mta/dispute-decision');
      await eu().admin.call('resolveDispute', { decision: 'uphold', reason: 'Upheld.' }, { disputeId });
      await waitFor('a first delivery attempt to fail', async () => {
        await w.elapse(0);
        return ((await decisionMessages(tab.tabId))[0]?.attempts ?? 0) > 0;
      });
      // The decision the operator signed, taken from its outbox message and rewrapped by an impostor.
      const signed = (await decisionSent(tab.tabId)).resolution;
      expect(
        verifyEnvelope(nodeCrypto, signed, fromBase64urlOfLength(eu().running.context.identity.signer.kid, 32)),
      ).toBe(true);
      const impostor = signerFromSecretKey(nodeCrypto, nodeCrypto.randomBytes(32));
      const forged = seal(
        nodeCrypto,
        impostor,
        {
          type: 'merchant-dispute-decision',
          operatorId: MERCHANT_OPERATOR,
          merchantId: SHOP,
          resolution: signed,
        } satisfies PayloadBody<MerchantDisputeDecisionPayload>,
        w.clock.now_ms(),
      );
      site.blockRoute('/mta/dispute-decision', false);
      const refused = await fetch(`${site.agentUrl}/mta/dispute-decision`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(forged),
      });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('bad_signature');
      expect(await site.agent.disputeDecision(tab.tabId)).toBeNull();
      // The genuine decision still arrives afterwards.
      await deliveredAfter(tab.tabId);
      expect(await site.agent.disputeDecision(tab.tabId)).toMatchObject({ reason: 'Upheld.' });
    } finally {
      await site.close();
    }
  });
});
