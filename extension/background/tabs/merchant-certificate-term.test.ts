import { describe, expect, it } from 'vitest';
import { waitFor } from '@opentab/test-kit';
import type { RecordAck } from '@opentab/protocol';
import { formatTimestamp, parseTimestamp } from '@opentab/protocol';
import {
  agentWorldPerTest,
  ARTICLE_1,
  ARTICLE_2,
  expectOk,
  expectPaid,
  MERCHANT_OPERATOR,
  type AgentWorld,
} from '../testing/agent-world';
import { ManualClock } from '../testing/test-ports';
import { TAB_TIMEOUT_RANGE_S } from '../wallet/preferences';
import { certificateInForce } from './merchant-check';
import type { OpenTab } from './tab-record';

// A tab never outlives the merchant certificate it relies on: the wallet pays only under a
// certificate in force, and checks the MTA's acknowledgement of its record with the key that
// certificate names. One clock for operators, merchant agent and wallet, moved on by days.

const clock = new ManualClock();
let w: AgentWorld;

agentWorldPerTest(
  (started) => {
    w = started;
  },
  { clock },
);

async function openTabs(): Promise<OpenTab[]> {
  return (await w.db.tabs.all()).filter((tab): tab is OpenTab => tab.phase === 'open');
}

async function allowLongTabs(): Promise<void> {
  expectOk(
    await w.ui('setLimits', {
      limits: { maxDepositPerTab: null, dailyCap: null, monthlyCap: null, defaultDeposit: '20.00' },
      tabTimeout_s: TAB_TIMEOUT_RANGE_S.max,
      idleLock_min: 15,
    }),
  );
}

/** The MTA's acknowledgements of customer records, as the wallet received them. */
function recordAcks(): RecordAck[] {
  const acks: RecordAck[] = [];
  w.ports.intercept = async (url, init) => {
    if (!url.endsWith('/v1/customer/records')) return undefined;
    const response = await fetch(url, init);
    if (response.ok) acks.push((await response.clone().json()) as RecordAck);
    return response;
  };
  return acks;
}

describe('a tab of the longest timeout the wallet and the operators allow', () => {
  it('is paid on to its last minute, and its record acknowledged at its end, under a certificate still in force', async () => {
    await w.readyWallet();
    await allowLongTabs();
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const [tab] = await openTabs();
    expect(tab!.expiresAt_ms - clock.now_ms()).toBeGreaterThanOrEqual(TAB_TIMEOUT_RANGE_S.max * 1000 - 60_000);

    clock.advance(tab!.expiresAt_ms - clock.now_ms() - 60_000);
    const last = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(last.receipt.payload.tabId).toBe(first.receipt.payload.tabId);
    expect(w.asked).toHaveLength(1);

    // Its timeout: the wallet closes it and its record is acknowledged.
    clock.advance(60_000);
    const acks = recordAcks();
    await w.agent.onAlarm('tab-expiry');
    expect(await w.db.outbox.all()).toEqual([]);
    expect(acks).toHaveLength(1);
    const certificate = tab!.merchantCertificate.payload;
    expect(certificateInForce(certificate, parseTimestamp(acks[0]!.payload.iat)!)).toBe(true);
    // Its end at the MTA: the record grace period (1 s in this world) after the timeout.
    clock.advance(1_000);
    expect(certificateInForce(certificate, clock.now_ms())).toBe(true);
    const admin = w.world.world.operator(MERCHANT_OPERATOR).admin;
    const cleared = await waitFor('the tab to clear', async () => {
      const view = await admin.call('getTab', undefined, { tabId: tab!.tabId });
      return view.state === 'cleared' ? view : undefined;
    });
    expect(cleared).toMatchObject({ outcome: 'agreed', cleared: { currency: 'EUR', value: '0.23' } });
  });
});

describe('a tab whose merchant certificate ends before it does', () => {
  it('is closed rather than paid on once the certificate has ended, and the purchase opens a tab under a current one', async () => {
    await w.readyWallet();
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    // As an operator that issued a certificate shorter than the tab would have left it.
    const [tab] = await openTabs();
    const certificate = tab!.merchantCertificate;
    await w.db.tabs.put(tab!.localId, {
      ...tab!,
      merchantCertificate: {
        ...certificate,
        payload: { ...certificate.payload, validUntil: formatTimestamp(clock.now_ms() + 60_000) },
      },
    });
    await w.restart();
    clock.advance(60_000);

    const next = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(next.receipt.payload.tabId).not.toBe(first.receipt.payload.tabId);
    expect(next.receipt.payload.seq).toBe(1);
    const tabs = await w.db.tabs.all();
    expect(tabs.find((stored) => stored.localId === tab!.localId)).toMatchObject({
      phase: 'closed',
      stopReason: 'customer-terminate',
    });
    const [current] = await openTabs();
    expect(certificateInForce(current!.merchantCertificate.payload, clock.now_ms())).toBe(true);
  });
});
