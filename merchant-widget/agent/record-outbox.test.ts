// Merchant records reach the MTA at least once: retried with growing delays while it is down or
// answers wrongly. The agent's clock is the harness's manual one, so a retry comes due when the
// test advances it to the attempt the agent scheduled, not after some real time has passed.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/server-kit';
import { signerFromSecretKey } from '@opentab/protocol';
import { AgentHarness, eventually } from '@opentab/test-kit/merchant-agent';

describe('merchant record delivery', () => {
  let harness: AgentHarness;
  beforeEach(async () => {
    harness = await AgentHarness.start({ recordRetryBase_ms: 20, recordRetryMax_ms: 100 });
  });
  afterEach(() => harness.close());

  /** Moves the clock to the next attempt the agent scheduled for the record of `tabId`. */
  const advanceToNextAttempt = async (tabId: string) =>
    harness.clock.advance((await harness.agent.recordDelivery(tabId))!.nextAttemptAt_ms - harness.clock.now_ms());

  it('retries with growing delays while the MTA is down and delivers once it is back', async () => {
    const { tabId } = await harness.openTab();
    const failures: Array<{ attempts: number; delay_ms: number }> = [];
    const acknowledged: string[] = [];
    harness.agent.on('record-delivery-failed', (event) =>
      failures.push({ attempts: event.attempts, delay_ms: event.nextAttemptAt_ms - harness.clock.now_ms() }),
    );
    harness.agent.on('record-acknowledged', (event) => acknowledged.push(event.tabId));
    await harness.mta.stop();

    await harness.agent.stop(tabId);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await eventually(() => failures.length === attempt);
      advanceToNextAttempt(tabId);
    }
    await eventually(() => failures.length === 4);
    expect(failures.map((failure) => failure.attempts)).toEqual([1, 2, 3, 4]);
    // 20 ms, doubling per attempt up to the 100 ms cap, each jittered within half to all of itself.
    for (const [index, [low_ms, high_ms]] of [
      [10, 20],
      [20, 40],
      [40, 80],
      [50, 100],
    ].entries()) {
      expect(failures[index]!.delay_ms).toBeGreaterThanOrEqual(low_ms!);
      expect(failures[index]!.delay_ms).toBeLessThanOrEqual(high_ms!);
    }
    expect(await harness.agent.recordDelivery(tabId)).toMatchObject({ acknowledged: false });
    expect((await harness.agent.recordDelivery(tabId))?.lastError).toMatch(/unreachable/);

    await harness.mta.listen();
    advanceToNextAttempt(tabId);
    await eventually(() => acknowledged.length === 1);
    expect(await harness.agent.recordDelivery(tabId)).toMatchObject({ acknowledged: true, lastError: null });
    expect(harness.mta.records.map((record) => record.payload.tabId)).toEqual([tabId]);
    const deliveries = harness.mta.recordDeliveries;
    await harness.agent.flushRecords();
    expect(harness.mta.recordDeliveries).toBe(deliveries);
  });

  it('keeps retrying when the ack is not signed by the operator key', async () => {
    const { tabId } = await harness.openTab();
    harness.mta.ackSigner = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    await harness.agent.stop(tabId);
    await eventually(async () => (await harness.agent.recordDelivery(tabId))?.attempts === 1);
    advanceToNextAttempt(tabId);
    await eventually(async () => (await harness.agent.recordDelivery(tabId))?.attempts === 2);
    expect(await harness.agent.recordDelivery(tabId)).toMatchObject({
      acknowledged: false,
      lastError: 'the record ack is not signed by the operator key',
    });
    harness.mta.ackSigner = null;
    advanceToNextAttempt(tabId);
    await eventually(async () => (await harness.agent.recordDelivery(tabId))?.acknowledged === true);
  });

  it('re-signs a record under a fresh id when the MTA refuses it as stale', async () => {
    const { tabId } = await harness.openTab();
    harness.mta.staleRefusalsToGive = 1;
    await harness.agent.stop(tabId);
    await eventually(async () => (await harness.agent.recordDelivery(tabId))?.acknowledged === true);
    expect(harness.mta.refusedAsStale).toHaveLength(1);
    const firstRecordId = harness.mta.refusedAsStale[0]!.payload.id;
    const delivered = harness.mta.records[0]!;
    expect(delivered.payload.id).not.toBe(firstRecordId);
    expect((await harness.agent.recordDelivery(tabId))?.recordId).toBe(delivered.payload.id);
    expect(delivered.payload).toMatchObject({ tabId, reason: 'merchant-stop', count: 0 });
  });
});
