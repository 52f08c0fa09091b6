import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../protocol/crypto/node';
import { signerFromSecretKey } from '../../protocol/envelope';
import { AgentHarness, eventually } from './testing/agent-harness';

describe('merchant record delivery', () => {
  let harness: AgentHarness;
  beforeEach(async () => {
    harness = await AgentHarness.start({ clock: { now_ms: () => Date.now() }, recordRetryBase_ms: 20, recordRetryMax_ms: 100 });
  });
  afterEach(() => harness.close());

  it('retries with growing delays while the MTA is down and delivers once it is back', async () => {
    const { tabId } = await harness.openTab();
    const failures: number[] = [];
    const acknowledged: string[] = [];
    harness.agent.on('record-delivery-failed', (event) => failures.push(event.attempts));
    harness.agent.on('record-acknowledged', (event) => acknowledged.push(event.tabId));
    await harness.mta.stop();

    harness.agent.stop(tabId);
    await eventually(() => failures.length >= 3);
    expect(failures.slice(0, 3)).toEqual([1, 2, 3]);
    expect(harness.agent.recordDelivery(tabId)).toMatchObject({ acknowledged: false });
    expect(harness.agent.recordDelivery(tabId)?.lastError).toMatch(/unreachable/);

    await harness.mta.listen();
    await eventually(() => acknowledged.length === 1);
    expect(harness.agent.recordDelivery(tabId)).toMatchObject({ acknowledged: true, lastError: null });
    expect(harness.mta.records.map((record) => record.payload.tabId)).toEqual([tabId]);
    const deliveries = harness.mta.recordDeliveries;
    await harness.agent.flushRecords();
    expect(harness.mta.recordDeliveries).toBe(deliveries);
  });

  it('keeps retrying when the ack is not signed by the operator key', async () => {
    const { tabId } = await harness.openTab();
    harness.mta.ackSigner = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    harness.agent.stop(tabId);
    await eventually(() => (harness.agent.recordDelivery(tabId)?.attempts ?? 0) >= 2);
    expect(harness.agent.recordDelivery(tabId)).toMatchObject({ acknowledged: false, lastError: 'the record ack is not signed by the operator key' });
    harness.mta.ackSigner = null;
    await eventually(() => harness.agent.recordDelivery(tabId)?.acknowledged === true);
  });

  it('re-signs a record under a fresh id when the MTA refuses it as stale', async () => {
    const { tabId } = await harness.openTab();
    harness.mta.staleRefusalsToGive = 1;
    harness.agent.stop(tabId);
    const firstRecordId = harness.agent.recordDelivery(tabId)!.recordId;
    await eventually(() => harness.agent.recordDelivery(tabId)?.acknowledged === true);
    const delivered = harness.mta.records[0]!;
    expect(delivered.payload.id).not.toBe(firstRecordId);
    expect(harness.agent.recordDelivery(tabId)?.recordId).toBe(delivered.payload.id);
    expect(delivered.payload).toMatchObject({ tabId, reason: 'merchant-stop', count: 0 });
  });
});
