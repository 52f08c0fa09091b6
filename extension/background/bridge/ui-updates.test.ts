import type { AccountTab, TabDisputeDecision } from '@opentab/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settlingAtOperator, UiUpdates } from './ui-updates';
import { waitFor } from '@opentab/test-kit';
import type { UiUpdateMessage } from '../../messaging/ui-updates';
import { agentWorldPerTest, ARTICLE_1, expectOk, expectPaid, type AgentWorld } from '../testing/agent-world';

let w: AgentWorld;

agentWorldPerTest((started) => {
  w = started;
});

/** An extension page's update port, as the background sees it; `heard` counts the "changed" messages. */
function openPage() {
  const disconnected: (() => void)[] = [];
  const page = {
    heard: 0,
    onChange: () => undefined as void,
    postMessage(message: UiUpdateMessage) {
      if (message.kind === 'changed') {
        page.heard++;
        page.onChange();
      }
    },
    onDisconnect: { addListener: (listener: () => void) => void disconnected.push(listener) },
    close: () => {
      for (const listener of disconnected) listener();
    },
  };
  w.agent.updates.connect(page);
  return page;
}

describe('telling open pages what changed', () => {
  it('after a call that acts, a page call that pays and an alarm; never after a read', async () => {
    await w.readyWallet();
    const page = openPage();
    expectOk(await w.ui('getOverview', {}));
    expectOk(await w.ui('getSettings', {}));
    expect(page.heard).toBe(0);
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(page.heard).toBeGreaterThanOrEqual(1);
    const afterPay = page.heard;
    await w.agent.onAlarm('outbox-retry');
    expect(page.heard).toBe(afterPay + 1);
    expectOk(await w.ui('lock', {}));
    expect(page.heard).toBe(afterPay + 2);
    page.close();
    expectOk(await w.ui('getOverview', {}));
  });

  it('shows a page that looks again on each change the hold released after a close, with nobody acting', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const overview = expectOk(await w.ui('getOverview', {}));
    expect(overview.account?.held).toEqual({ currency: 'SEK', value: '20.00' });
    // The page does what the popup does: on each "changed", it asks for the overview again.
    const page = openPage();
    const seen: string[] = [];
    page.onChange = () =>
      void w.ui('getOverview', {}).then((answer) => {
        if (answer.ok && answer.value.account) seen.push(answer.value.account.held.value);
      });
    expectOk(await w.ui('closeTab', { transactionId: overview.tabs[0]!.transactionId }));
    // Nobody acts from here on: the background's own look-again brings the cleared account.
    await waitFor('the released hold', async () => (seen.includes('0.00') ? true : undefined), 20_000);
    expect(expectOk(await w.ui('getOverview', {})).account).toMatchObject({
      held: { currency: 'SEK', value: '0.00' },
      // 8 cents × 11.3595 = 90.876 öre → 0.91 SEK charged.
      balance: { currency: 'SEK', value: '-0.91' },
    });
    page.close();
  });
});

describe('looking again while a closed tab settles at the operator', () => {
  afterEach(() => vi.useRealTimers());

  const port = () => {
    const page = {
      heard: 0,
      postMessage: () => void page.heard++,
      onDisconnect: { addListener: (listener: () => void) => void (page.close = listener) },
      close: () => undefined as void,
    };
    return page;
  };

  it('tells open pages to look again after 1 s, 2 s, 4 s … at most 30 s, and stops once settled', () => {
    vi.useFakeTimers();
    const updates = new UiUpdates();
    const page = port();
    updates.connect(page);
    const heardAfter = (delay_ms: number) => {
      updates.accountRead(true);
      vi.advanceTimersByTime(delay_ms - 1);
      const before = page.heard;
      vi.advanceTimersByTime(1);
      return page.heard - before;
    };
    expect([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000].map(heardAfter)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    updates.accountRead(false);
    updates.accountRead(true);
    vi.advanceTimersByTime(1_000);
    expect(page.heard).toBe(8);
    // Settled: nothing more.
    updates.accountRead(false);
    vi.advanceTimersByTime(60_000);
    expect(page.heard).toBe(8);
  });

  it('looks again only while a page is open to see it', () => {
    vi.useFakeTimers();
    const updates = new UiUpdates();
    updates.accountRead(true);
    const page = port();
    updates.connect(page);
    vi.advanceTimersByTime(1_000);
    expect(page.heard).toBe(0);
    updates.accountRead(true);
    page.close();
    vi.advanceTimersByTime(60_000);
    expect(page.heard).toBe(0);
  });

  it('counts a tab as settling while the operator has it open or closing and the wallet does not', () => {
    const tab = (transactionId: string, state: 'open' | 'closing' | 'cleared') =>
      ({ transactionId, state }) as Parameters<typeof settlingAtOperator>[0][number];
    expect(settlingAtOperator([tab('t1', 'open')], new Set(['t1']))).toBe(false);
    expect(settlingAtOperator([tab('t1', 'open')], new Set())).toBe(true);
    expect(settlingAtOperator([tab('t1', 'closing')], new Set())).toBe(true);
    expect(settlingAtOperator([tab('t1', 'cleared')], new Set())).toBe(false);
  });

  it('counts a tab cleared as disputed as settling until the operator decides it', () => {
    const disputed = (decision: TabDisputeDecision | null) =>
      ({
        transactionId: 't1',
        state: 'cleared',
        clearing: {
          outcome: 'disputed',
          cleared: { currency: 'EUR', value: '0.45' },
          revision: 0,
          note: 'x',
          decision,
        },
      }) as AccountTab;
    expect(settlingAtOperator([disputed(null)], new Set())).toBe(true);
    const decision = {
      operatorId: 'op-eu',
      decision: 'uphold',
      clearedBefore: { currency: 'EUR', value: '0.45' },
      clearedAfter: { currency: 'EUR', value: '0.45' },
      reason: 'Proven.',
      decidedAt: '2026-06-01T12:00:00.000Z',
    } as const;
    expect(settlingAtOperator([disputed(decision)], new Set())).toBe(false);
  });
});
