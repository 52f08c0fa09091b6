// Click-to-paid as the page itself sees it: the click's own event time (when the browser received
// the input) to the moment the widget's opentab:paid event reaches the document. Both clocks are
// the page's performance clock, so nothing of Playwright's round trips is in the figure.

import type { Locator, Page } from 'playwright';

interface ClickTiming {
  clickAt_ms: number | null;
  paidAt_ms: number | null;
  error: string | null;
}

type TimedWindow = typeof globalThis & { benchClickTiming?: ClickTiming };

const PAID_TIMEOUT_MS = 30_000;

/** Clicks `button` and returns the page's click-to-paid time in ms; throws on opentab:error. */
export async function timeClickToPaid(page: Page, button: Locator): Promise<number> {
  await page.evaluate(() => {
    const timing: ClickTiming = { clickAt_ms: null, paidAt_ms: null, error: null };
    (globalThis as TimedWindow).benchClickTiming = timing;
    // Capture on window: the first listener to hear the click, wherever the widget's shadow root is.
    window.addEventListener('click', (event) => (timing.clickAt_ms ??= event.timeStamp), { capture: true, once: true });
    document.addEventListener('opentab:paid', () => (timing.paidAt_ms = performance.now()), { once: true });
    document.addEventListener('opentab:error', (event) => (timing.error = JSON.stringify((event as CustomEvent<unknown>).detail)), { once: true });
  });
  await button.click();
  await page.waitForFunction(() => {
    const timing = (globalThis as TimedWindow).benchClickTiming;
    return timing !== undefined && (timing.paidAt_ms !== null || timing.error !== null);
  }, undefined, { timeout: PAID_TIMEOUT_MS });
  const timing = await page.evaluate(() => (globalThis as TimedWindow).benchClickTiming!);
  if (timing.error !== null) throw new Error(`the widget reported an error instead of paying: ${timing.error}`);
  if (timing.clickAt_ms === null || timing.paidAt_ms === null) throw new Error('the click or the paid event was not seen');
  return timing.paidAt_ms - timing.clickAt_ms;
}
