// Click-to-paid as the page itself sees it: the click's own event time (when the browser received
// the input) to the moment the widget's opentab:paid event reaches the document. Both clocks are
// the page's performance clock, so nothing of Playwright's round trips is in the figure.
//
// The wait for the outcome is armed before the click: a promise in the page that settles on
// opentab:paid or opentab:error, awaited through page.evaluate. page.waitForFunction was used at
// first: it compiles Playwright's injected script into the page's main world on its first use in
// a page (9–27 ms of the page's main thread in a trace, right inside the measured interval, since
// every click is on a fresh page) and then polls on every animation frame, which forces a
// rendering pass each frame. Both delayed the answer's delivery to the page and were counted as
// click-to-paid.
//
// So does the way the click is made. Playwright's `click()` checks actionability around the
// pointer events themselves: it waits for the button to keep its box over two animation frames,
// then installs interceptors in the page that check the hit target of each of mousemove,
// mousedown, mouseup and click, and removes them after. That script runs on the page's main
// thread inside the measured interval. A reader's click is therefore made with the pointer
// alone (`page.mouse`), onto the button, a pause, a press held as a person holds it; the
// button's actionability is checked before that, by `hover()`. The instant `click()` is measured
// beside it so the difference stays visible.

import type { Locator, Page } from 'playwright';

interface ClickTiming {
  readonly clickAt_ms: number | null;
  readonly paidAt_ms: number | null;
  readonly error: string | null;
}

const PAID_TIMEOUT_MS = 30_000;
/** How long the pointer rests on the button before the press. */
const READER_DWELL_MS = 150;
/** How long the button is held down: a person's press lasts ~80–120 ms. */
const READER_PRESS_MS = 80;

/** `reader`: the pointer onto the button, a pause, a press held as a person holds it. `instant`: Playwright's `click()`. */
export type PointerStyle = 'reader' | 'instant';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function clickAs(style: PointerStyle, page: Page, button: Locator): Promise<void> {
  if (style === 'instant') return button.click();
  await button.hover();
  await pause(READER_DWELL_MS);
  await page.mouse.down();
  await pause(READER_PRESS_MS);
  await page.mouse.up();
}

type TimedWindow = typeof globalThis & { benchClickOutcome?: Promise<ClickTiming> };

/** Clicks `button` and returns the page's click-to-paid time in ms; throws on opentab:error. */
export async function timeClickToPaid(page: Page, button: Locator, style: PointerStyle): Promise<number> {
  await page.evaluate((timeout_ms) => {
    (globalThis as TimedWindow).benchClickOutcome = new Promise<ClickTiming>((resolve) => {
      let clickAt_ms: number | null = null;
      // Capture on window: the first listener to hear the click, wherever the widget's shadow root is.
      window.addEventListener('click', (event) => (clickAt_ms ??= event.timeStamp), { capture: true, once: true });
      document.addEventListener(
        'opentab:paid',
        () => resolve({ clickAt_ms, paidAt_ms: performance.now(), error: null }),
        { once: true },
      );
      document.addEventListener(
        'opentab:error',
        (event) =>
          resolve({ clickAt_ms, paidAt_ms: null, error: JSON.stringify((event as CustomEvent<unknown>).detail) }),
        { once: true },
      );
      setTimeout(
        () => resolve({ clickAt_ms, paidAt_ms: null, error: 'no opentab:paid within the timeout' }),
        timeout_ms,
      );
    });
  }, PAID_TIMEOUT_MS);
  // Asked before the click, so that after it the page only has to settle a promise.
  const outcome = page.evaluate(() => (globalThis as TimedWindow).benchClickOutcome!);
  await clickAs(style, page, button);
  const timing = await outcome;
  if (timing.error !== null) throw new Error(`the widget reported an error instead of paying: ${timing.error}`);
  if (timing.clickAt_ms === null || timing.paidAt_ms === null)
    throw new Error('the click or the paid event was not seen');
  return timing.paidAt_ms - timing.clickAt_ms;
}
