// Scenario: the rate table runs out. The popup, open throughout and never reloaded, warns that
// prices cannot be converted, and shows the fresh table the extension fetches without being asked. The operators issue
// tables that live ten seconds (their shortest lifespan). The browser's clock cannot be the
// test's: the test waits in real time for each state to show, bounded generously.

import { expect, test } from '../fixtures/test';

const RATES_LIFESPAN_S = 10;
/** The extension fetches the next table no sooner than this after it fetched one (rate-service.ts). */
const REFRESH_NOT_BEFORE_MS = 30_000;

test.use({
  worldSettings: { settings: { rates: { lifespan_s: RATES_LIFESPAN_S } } },
});

test('an expired rate table is flagged in the popup and replaced by a fresh one', async ({ wallet }) => {
  const { popup } = wallet;
  // The demo's operators quote the ECB's rates of 28 June 2024 as sample rates, never as current ones.
  await expect(popup.rateStatus).toContainText('Sample ECB rate from 28 Jun 2024, not current rates; in use until');
  const firstValidUntil = await popup.ratesValidUntil();
  expect(firstValidUntil).not.toBeNull();

  // The popup stays open, nobody reloads it: it says "expired" at the table's expiry by itself.
  await expect(popup.rateStatus).toContainText('expired', { timeout: REFRESH_NOT_BEFORE_MS });
  await expect(popup.rateStatus).toHaveAttribute('role', 'status');
  await expect(popup.rateStatus).toContainText('prices cannot be converted until new rates arrive');
  expect(await popup.ratesValidUntil()).toBe(firstValidUntil);

  // Nobody clicks "Refresh rates": the extension's own alarm fetches the next table, and the open
  // popup shows it.
  await expect.poll(() => popup.ratesValidUntil(), { timeout: 60_000, intervals: [500] }).not.toBe(firstValidUntil);
  await expect(popup.rateStatus).toContainText('in use until');
  expect(Date.parse((await popup.ratesValidUntil())!)).toBeGreaterThan(Date.parse(firstValidUntil!));
});
