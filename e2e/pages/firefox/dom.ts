// Small DOM steps for puppeteer pages, in the terms the extension's pages use: fields by their
// visible label, buttons by their text, waits on text. Input goes to the foreground tab only
// (Firefox does not lay out a background tab, so nothing there is ever clickable): every step
// that types or clicks brings its tab to the front first, as a reader's eyes would.

import type { ElementHandle, Page } from 'puppeteer-core';

const WAIT_MS = 30_000;
const POLL_MS = 100;

/** The form field inside the `<label>` whose text starts with `labelText`, within `scope` (CSS). */
export async function fieldByLabel(
  page: Page,
  labelText: string,
  scope = 'body',
): Promise<ElementHandle<HTMLInputElement>> {
  const handle = await page.waitForFunction(
    (scopeSelector, text) => {
      const labels = document.querySelector(scopeSelector)?.querySelectorAll('label') ?? [];
      const label = Array.from(labels).find((candidate) => (candidate.textContent ?? '').trim().startsWith(text));
      return label?.querySelector('input') ?? null;
    },
    { timeout: WAIT_MS },
    scope,
    labelText,
  );
  return handle as ElementHandle<HTMLInputElement>;
}

export async function fillField(page: Page, labelText: string, value: string, scope?: string): Promise<void> {
  await page.bringToFront();
  const field = await fieldByLabel(page, labelText, scope);
  await field.type(value);
}

export async function clickButton(page: Page, text: string): Promise<void> {
  await page.bringToFront();
  await page.locator(`button::-p-text(${text})`).setTimeout(WAIT_MS).click();
}

export async function waitForText(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => document.body?.innerText.includes(wanted) === true,
    { timeout: WAIT_MS },
    text,
  );
}

/** Clicks what `selector` finds, once it is there and actionable. */
export async function clickOn(page: Page, selector: string): Promise<void> {
  await page.bringToFront();
  await page.locator(selector).setTimeout(WAIT_MS).click();
}

/** The text of the element matching `selector`, once it exists. */
export async function textOf(page: Page, selector: string): Promise<string> {
  const element = await page.waitForSelector(selector, { timeout: WAIT_MS });
  return (await element!.evaluate((node) => node.textContent)) ?? '';
}

/**
 * Waits until the page's window has closed. Puppeteer over BiDi raises no 'close' event for a
 * window the extension closes itself, but the browsing context is gone: calls into it fail.
 */
export async function waitUntilClosed(page: Page, timeout_ms = WAIT_MS): Promise<void> {
  const deadline_ms = Date.now() + timeout_ms;
  while (Date.now() < deadline_ms) {
    const open = await page.evaluate(() => true).catch(() => false);
    if (!open || page.isClosed()) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`the window at ${page.url()} did not close within ${timeout_ms} ms`);
}
