import { describe, expect, it } from 'vitest';
import { holdsSoFar, startOfLocalDay } from './holds-so-far';
import { merchantViews, rulesWithLimits } from './limits-views';
import {
  decideDeposit,
  defaultRules,
  withAllowance,
  withBlocked,
  withoutAllowance,
  type SpendingRules,
} from './spending-rules';

const merchant = { merchantId: 'news', operatorId: 'op-eur', displayName: 'Daily News' };
const format = (minor: bigint) => `${minor} öre`;
const nothingHeld = { today_minor: 0n, thisMonth_minor: 0n };

const rules: SpendingRules = {
  ...defaultRules('SEK'),
  maxDepositPerTab_minor: 10_000n,
  dailyCap_minor: 20_000n,
  monthlyCap_minor: 50_000n,
};

describe('decideDeposit', () => {
  it('asks the customer when no allowance covers the deposit', () => {
    expect(decideDeposit(rules, merchant, 2_000n, nothingHeld, format)).toEqual({ kind: 'ask-customer' });
  });

  it('opens without asking within an allowance, and asks above it', () => {
    const allowed = withAllowance(rules, { ...merchant, maxDeposit_minor: 5_000n, grantedAt_ms: 0 });
    expect(decideDeposit(allowed, merchant, 5_000n, nothingHeld, format)).toEqual({ kind: 'open-without-asking' });
    expect(decideDeposit(allowed, merchant, 5_001n, nothingHeld, format)).toEqual({ kind: 'ask-customer' });
    expect(decideDeposit(withoutAllowance(allowed, merchant), merchant, 100n, nothingHeld, format)).toEqual({
      kind: 'ask-customer',
    });
  });

  it('refuses a blocked merchant even with an allowance, since blocking revokes it', () => {
    const allowed = withAllowance(rules, { ...merchant, maxDeposit_minor: 5_000n, grantedAt_ms: 0 });
    const blocked = withBlocked(allowed, { ...merchant, blockedAt_ms: 0 });
    expect(blocked.allowances).toEqual([]);
    expect(decideDeposit(blocked, merchant, 100n, nothingHeld, format)).toMatchObject({
      kind: 'refuse',
      code: 'blocked_merchant',
    });
  });

  it('refuses past the per-tab maximum, the daily cap and the monthly cap, saying which', () => {
    expect(decideDeposit(rules, merchant, 10_001n, nothingHeld, format)).toMatchObject({
      kind: 'refuse',
      code: 'limit_reached',
      reason: expect.stringMatching(/maximum/),
    });
    expect(
      decideDeposit(rules, merchant, 5_000n, { today_minor: 15_001n, thisMonth_minor: 15_001n }, format),
    ).toMatchObject({
      code: 'limit_reached',
      reason: expect.stringMatching(/daily cap/),
    });
    expect(decideDeposit(rules, merchant, 5_000n, { today_minor: 0n, thisMonth_minor: 45_001n }, format)).toMatchObject(
      {
        code: 'limit_reached',
        reason: expect.stringMatching(/monthly cap/),
      },
    );
    expect(decideDeposit(rules, merchant, 5_000n, { today_minor: 15_000n, thisMonth_minor: 45_000n }, format)).toEqual({
      kind: 'ask-customer',
    });
  });

  it('applies no cap that is switched off', () => {
    const open = { ...rules, maxDepositPerTab_minor: null, dailyCap_minor: null, monthlyCap_minor: null };
    expect(
      decideDeposit(open, merchant, 10n ** 12n, { today_minor: 10n ** 12n, thisMonth_minor: 10n ** 12n }, format),
    ).toEqual({ kind: 'ask-customer' });
  });
});

describe('holdsSoFar', () => {
  it('counts today and this month by the local calendar', () => {
    const now = new Date(2026, 5, 15, 12, 0).getTime();
    const deposits = [
      { openedAt_ms: new Date(2026, 5, 15, 0, 30).getTime(), depositCustomer_minor: 100n },
      { openedAt_ms: new Date(2026, 5, 14, 23, 59).getTime(), depositCustomer_minor: 200n },
      { openedAt_ms: new Date(2026, 4, 31, 12, 0).getTime(), depositCustomer_minor: 400n },
    ];
    expect(holdsSoFar(deposits, now)).toEqual({ today_minor: 100n, thisMonth_minor: 300n });
    expect(startOfLocalDay(now)).toBe(new Date(2026, 5, 15).getTime());
  });
});

describe('rulesWithLimits', () => {
  const input = { maxDepositPerTab: null, dailyCap: null, monthlyCap: null, defaultDeposit: '20.00' };

  it('names a field the way the options page labels it when its amount cannot be read', () => {
    expect(() => rulesWithLimits(rules, { ...input, defaultDeposit: 'abc' })).toThrow(
      'The deposit for a new tab must be an amount in SEK such as 25, 25.50 or 25,50.',
    );
    expect(() => rulesWithLimits(rules, { ...input, defaultDeposit: '0' })).toThrow(
      'The deposit for a new tab must be more than zero.',
    );
    expect(() => rulesWithLimits(rules, { ...input, dailyCap: '1.234' })).toThrow(
      'The daily cap must be an amount in SEK such as 25, 25.50 or 25,50.',
    );
  });
});

describe('rulesWithLimits, read as the customer writes and checked against each other', () => {
  const input = { maxDepositPerTab: '100', dailyCap: '200', monthlyCap: '1 000', defaultDeposit: '12,50' };

  it('reads decimal commas and spaced thousands', () => {
    expect(rulesWithLimits(rules, input)).toMatchObject({
      defaultDeposit_minor: 1_250n,
      maxDepositPerTab_minor: 10_000n,
      monthlyCap_minor: 100_000n,
    });
  });

  it('refuses a deposit for a new tab above the maximum or a cap, and a daily cap above the monthly', () => {
    expect(() => rulesWithLimits(rules, { ...input, defaultDeposit: '150' })).toThrow(
      'The deposit for a new tab (150.00 SEK) is above your maximum per tab (100.00 SEK): no tab could open.',
    );
    expect(() => rulesWithLimits(rules, { ...input, maxDepositPerTab: null, defaultDeposit: '250' })).toThrow(
      'The deposit for a new tab (250.00 SEK) is above your daily cap (200.00 SEK): no tab could open.',
    );
    expect(() => rulesWithLimits(rules, { ...input, dailyCap: '2000' })).toThrow(
      'The daily cap (2000.00 SEK) is above the monthly cap (1000.00 SEK).',
    );
  });
});

describe('merchantViews', () => {
  const tab = (merchantId: string, operatorId: string, merchantDisplayName: string, createdAt_ms: number) => ({
    merchant: { merchantId, operatorId },
    merchantDisplayName,
    createdAt_ms,
  });
  const june = (day: number) => Date.parse(`2026-06-${String(day).padStart(2, '0')}T10:00:00.000Z`);

  it('lists each merchant once: with tabs (named as on the latest), then only allowed or blocked; the latest tab first', () => {
    const withRules = withBlocked(
      withAllowance(withAllowance(rules, { ...merchant, maxDeposit_minor: 2_500n, grantedAt_ms: 0 }), {
        merchantId: 'quiet',
        operatorId: 'op-eur',
        displayName: 'Quiet Shop',
        maxDeposit_minor: 1_000n,
        grantedAt_ms: 0,
      }),
      { merchantId: 'spam', operatorId: 'op-eur', displayName: 'Clickbait Daily', blockedAt_ms: 0 },
    );
    const tabs = [
      tab('news', 'op-eur', 'News (old name)', june(1)),
      tab('weather', 'op-sek', 'Nordic Weather', june(2)),
      tab('news', 'op-eur', 'Daily News', june(3)),
      // The same merchant id at another operator is another merchant.
      tab('news', 'op-sek', 'News elsewhere', june(1)),
    ];
    expect(merchantViews(withRules, tabs)).toEqual([
      {
        merchantId: 'news',
        operatorId: 'op-eur',
        displayName: 'Daily News',
        allowance: { currency: 'SEK', value: '25.00' },
        blocked: false,
        lastTabAt: '2026-06-03T10:00:00.000Z',
      },
      {
        merchantId: 'weather',
        operatorId: 'op-sek',
        displayName: 'Nordic Weather',
        allowance: null,
        blocked: false,
        lastTabAt: '2026-06-02T10:00:00.000Z',
      },
      {
        merchantId: 'news',
        operatorId: 'op-sek',
        displayName: 'News elsewhere',
        allowance: null,
        blocked: false,
        lastTabAt: '2026-06-01T10:00:00.000Z',
      },
      {
        merchantId: 'spam',
        operatorId: 'op-eur',
        displayName: 'Clickbait Daily',
        allowance: null,
        blocked: true,
        lastTabAt: null,
      },
      {
        merchantId: 'quiet',
        operatorId: 'op-eur',
        displayName: 'Quiet Shop',
        allowance: { currency: 'SEK', value: '10.00' },
        blocked: false,
        lastTabAt: null,
      },
    ]);
  });

  it('shows a blocked merchant with tabs as blocked, its allowance gone', () => {
    const allowed = withAllowance(rules, { ...merchant, maxDeposit_minor: 2_500n, grantedAt_ms: 0 });
    const blocked = withBlocked(allowed, { ...merchant, blockedAt_ms: 0 });
    expect(merchantViews(blocked, [tab('news', 'op-eur', 'Daily News', june(1))])).toEqual([
      {
        merchantId: 'news',
        operatorId: 'op-eur',
        displayName: 'Daily News',
        allowance: null,
        blocked: true,
        lastTabAt: '2026-06-01T10:00:00.000Z',
      },
    ]);
  });
});
