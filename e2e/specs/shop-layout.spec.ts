// Scenario: the demo shop's page as a reader sees it at 1280 px and on a 390 px phone: the product
// cards of a row are equally tall with their paywalls level, no text in a paid button wraps onto a
// second line, and no empty space is left under the widget. Both widths are photographed.

import { PRODUCTS } from '@opentab/demo-shop';
import { keepScreenshot } from '../fixtures/screenshots';
import { expect, test } from '../fixtures/test';

const WIDTHS = [1280, 390] as const;

/**
 * As laid out: the paid buttons whose text wraps (a text node split over more than one line box),
 * each card's top and height with its paywall's bottom, and the empty space under each paywall's
 * last visible line.
 */
function layout() {
  const wrappedText = (root: ParentNode) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const wrapped: string[] = [];
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      if (!node.textContent?.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top)));
      if (lines.size > 1) wrapped.push(node.textContent.trim());
    }
    return wrapped;
  };
  const slots = Array.from(document.querySelectorAll('[data-paid-slot], [data-delivery-slot]'));
  const buttons = slots.flatMap((slot) => {
    const host = [slot, ...Array.from(slot.querySelectorAll('*'))].find((element) => element.shadowRoot !== null);
    const button = host?.shadowRoot?.querySelector('button[part="button"]');
    return button
      ? [
          {
            item: slot.getAttribute('data-paid-slot') ?? slot.getAttribute('data-delivery-slot'),
            wrapped: wrappedText(button),
          },
        ]
      : [];
  });
  const cards = slots.map((slot) => {
    const card = (slot.closest('.card') ?? slot).getBoundingClientRect();
    const paywall = slot.querySelector('[data-paywall]')!;
    return {
      top: Math.round(card.top),
      height: Math.round(card.height),
      paywallBottom: Math.round(paywall.getBoundingClientRect().bottom),
    };
  });
  const emptySpace_px = slots.map((slot) => {
    const paywall = slot.querySelector('[data-paywall]')!;
    const style = getComputedStyle(paywall);
    const contentBottom =
      paywall.getBoundingClientRect().bottom -
      Number.parseFloat(style.paddingBottom) -
      Number.parseFloat(style.borderBottomWidth);
    const lastLine = Math.max(
      ...Array.from(paywall.children)
        // A line with nothing on it (an empty status) is empty space too.
        .filter((child) => child.shadowRoot !== null || child.textContent?.trim())
        .map((child) => child.getBoundingClientRect())
        .filter((box) => box.height > 0)
        .map((box) => box.bottom),
    );
    return Math.round(contentBottom - lastLine);
  });
  return { buttons, cards, emptySpace_px };
}

for (const width of WIDTHS) {
  test(`the shop at ${width} px: even cards, unwrapped buttons, no empty space`, async ({ wallet, shop }, testInfo) => {
    expect(wallet.popup).toBeTruthy();
    await shop.page.setViewportSize({ width, height: 900 });
    await shop.openShop();
    for (const product of PRODUCTS) await shop.readyToPay(product.itemId);
    const { buttons, cards, emptySpace_px } = await shop.page.evaluate(layout);
    expect(buttons).toHaveLength(PRODUCTS.length);
    expect(buttons.filter((button) => button.wrapped.length > 0)).toEqual([]);
    // Cards side by side (the same top) are equally tall, their paywalls level at the foot.
    const rows = new Map<number, typeof cards>();
    for (const card of cards) rows.set(card.top, [...(rows.get(card.top) ?? []), card]);
    for (const row of rows.values()) {
      expect(new Set(row.map((card) => card.height)).size).toBe(1);
      expect(new Set(row.map((card) => card.paywallBottom)).size).toBe(1);
    }
    // Nothing but the paywall's own padding under its last line.
    expect(emptySpace_px.filter((space) => space > 1)).toEqual([]);
    await keepScreenshot(testInfo, `shop-${width}`, (path) => shop.page.screenshot({ path, fullPage: true }));
  });
}
