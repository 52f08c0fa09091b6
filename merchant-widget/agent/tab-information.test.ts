import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64url } from '@opentab/protocol';
import { signerFromSecretKey, verifyEnvelope } from '@opentab/protocol';
import { TabInformationAck, type TabInformation } from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import { WEAK_KEY_KINDS, WEAK_KEYS } from '@opentab/test-kit';
import { AgentHarness, errorCode, eur } from '@opentab/test-kit/merchant-agent';
import { TestCustomer } from '@opentab/test-kit/merchant-agent';

describe('tab information from the MTA', () => {
  let harness: AgentHarness;
  let customer: TestCustomer;

  beforeEach(async () => {
    harness = await AgentHarness.start();
    customer = new TestCustomer(100);
  });
  afterEach(() => harness.close());

  const announce = (information: TabInformation) => harness.post('/mta/tab-information', information);

  it('opens the tab and answers an ack signed by the merchant key', async () => {
    const opened: string[] = [];
    harness.agent.on('tab-opened', (event) => opened.push(event.tab.tabId));
    const information = harness.tabInformation(customer);
    const answer = await announce(information);
    expect(answer.status).toBe(200);
    expect(parseMessage(TabInformationAck, answer.body).ok).toBe(true);
    const ack = answer.body as TabInformationAck;
    expect(verifyEnvelope(nodeCrypto, ack, fromBase64url(harness.agent.publicKey))).toBe(true);
    expect(ack.payload).toMatchObject({
      merchantId: 'test-news',
      tabId: information.payload.tabId,
      informationId: information.payload.id,
    });
    expect(await harness.agent.tab(information.payload.tabId)).toMatchObject({
      status: 'open',
      deposit: { currency: 'EUR', minor: 100n },
      spent: { minor: 0n },
    });
    expect(opened).toEqual([information.payload.tabId]);
  });

  it('answers a replay with the first ack, a retry of the same tab with a new ack, and refuses other terms for a known tab', async () => {
    const information = harness.tabInformation(customer);
    const first = await announce(information);
    const replay = await announce(information);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    const sameTab = { tabId: information.payload.tabId, pseudonym: information.payload.pseudonym };
    const retry = harness.tabInformation(customer, sameTab);
    const retried = await announce(retry);
    expect(retried.status).toBe(200);
    expect((retried.body as TabInformationAck).payload).toMatchObject({
      tabId: sameTab.tabId,
      informationId: retry.payload.id,
    });
    const otherTerms = harness.tabInformation(customer, { ...sameTab, deposit: eur('0.50') });
    expect(errorCode(await announce(otherTerms))).toBe('id_reused');
    expect(await harness.agent.tabs()).toHaveLength(1);
    expect((await harness.agent.tab(sameTab.tabId))?.deposit.minor).toBe(100n);
  });

  it('refuses information not signed by the operator key', async () => {
    const information = harness.tabInformation(customer);
    const forged = { ...information, payload: { ...information.payload, deposit: eur('0.99') } };
    const answer = await announce(forged);
    expect([answer.status, errorCode(answer)]).toEqual([401, 'bad_signature']);
    expect(await harness.agent.tabs()).toHaveLength(0);
  });

  it('refuses a customer certificate signed by another key or naming another tab or pseudonym', async () => {
    const strangerKey = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    expect(errorCode(await announce(harness.tabInformation(customer, { certificate: { signer: strangerKey } })))).toBe(
      'bad_signature',
    );
    expect(
      errorCode(
        await announce(harness.tabInformation(customer, { certificate: { tabId: 'tab_111111111111111111111111' } })),
      ),
    ).toBe('invalid_message');
    expect(
      errorCode(
        await announce(
          harness.tabInformation(customer, { certificate: { pseudonym: 'psn_111111111111111111111111' } }),
        ),
      ),
    ).toBe('invalid_message');
    expect(await harness.agent.tabs()).toHaveLength(0);
  });

  it.each(WEAK_KEY_KINDS)(
    'refuses a %s tab key with weak_key: its holder could deny the terminate it signed',
    async (kind) => {
      const answer = await announce(harness.tabInformation(customer, { tabPublicKey: WEAK_KEYS[kind] }));
      expect([answer.status, errorCode(answer)]).toEqual([400, 'weak_key']);
      expect(JSON.stringify(answer.body)).toContain(
        'payload.customerCertificate.payload.tabPublicKey: must be a sound Ed25519 public key',
      );
      expect(await harness.agent.tabs()).toHaveLength(0);
    },
  );

  it('refuses another merchant, another currency, a chain too short for the deposit and a past expiry', async () => {
    expect(errorCode(await announce(harness.tabInformation(customer, { merchantId: 'other-shop' })))).toBe(
      'unknown_merchant',
    );
    expect(
      errorCode(await announce(harness.tabInformation(customer, { deposit: { currency: 'SEK', value: '1.00' } }))),
    ).toBe('currency_mismatch');
    const shortChain = { root: customer.chain.commitment.root, unit: eur('0.01'), length: 99 };
    expect(errorCode(await announce(harness.tabInformation(customer, { chain: shortChain })))).toBe('chain_too_short');
    expect(
      errorCode(await announce(harness.tabInformation(customer, { expiresAt_ms: harness.clock.now_ms() - 1 }))),
    ).toBe('tab_expired');
    expect(await harness.agent.tabs()).toHaveLength(0);
  });

  it('refuses a message issued outside the clock-skew window', async () => {
    const old = harness.tabInformation(customer, { now_ms: harness.clock.now_ms() - 3_600_000 });
    expect(errorCode(await announce(old))).toBe('stale_message');
  });
});

describe('clearing reports from the MTA', () => {
  let harness: AgentHarness;
  beforeEach(async () => {
    harness = await AgentHarness.start();
  });
  afterEach(() => harness.close());

  it('marks a stopped tab cleared, idempotently, and refuses reports not signed by the operator', async () => {
    const { tabId } = await harness.openTab();
    await harness.agent.stop(tabId);
    const cleared: string[] = [];
    harness.agent.on('tab-cleared', (event) => cleared.push(event.outcome));
    const report = harness.mta.tabCleared('test-news', tabId, eur('0.00'), 'agreed');
    const forged = { ...report, payload: { ...report.payload, cleared: eur('0.50') } };
    expect(errorCode(await harness.post('/mta/tab-cleared', forged))).toBe('bad_signature');
    for (let i = 0; i < 2; i++) {
      const answer = await harness.post('/mta/tab-cleared', report);
      expect([answer.status, answer.body]).toEqual([200, { received: true }]);
    }
    expect(cleared).toEqual(['agreed']);
    expect(await harness.agent.tab(tabId)).toMatchObject({
      status: 'cleared',
      stopReason: 'merchant-stop',
      cleared: { amount: { minor: 0n }, outcome: 'agreed' },
    });
    expect(
      errorCode(
        await harness.post(
          '/mta/tab-cleared',
          harness.mta.tabCleared('test-news', 'tab_000000000000000000000000', eur('0.00')),
        ),
      ),
    ).toBe('unknown_tab');
  });
});
