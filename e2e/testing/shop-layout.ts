// The demo shop's layout as laid out in a browser, measured in the page: how many lines each paid button takes,
// how tall the product cards of a row are, and how much empty space is left under each widget.

export interface ShopLayout {
  /** Each paid button with the lines its text takes (1 as designed) and that text. */
  readonly buttons: readonly { readonly item: string | null; readonly lines: number; readonly text: string }[];
  readonly cards: readonly { readonly top: number; readonly height: number; readonly paywallBottom: number }[];
  readonly emptySpace_px: readonly number[];
}

/**
 * As laid out: the lines each paid button's text takes (its label and price wrapping under each
 * other, or one text broken in two, are two),
 * each card's top and height with its paywall's bottom, and the empty space under each paywall's
 * last visible line.
 */
export function shopLayout(): ShopLayout {
  // The lines a button's text takes: every text box, in the order of their tops, starts a new line
  // when it lies below the line before (boxes of one line differ in top only by their baselines).
  const linesOf = (root: ParentNode) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const boxes: DOMRect[] = [];
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      if (!node.textContent?.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      boxes.push(...Array.from(range.getClientRects()).filter((box) => box.height > 0));
    }
    boxes.sort((a, b) => a.top - b.top);
    let lines = 0;
    let lineBottom = Number.NEGATIVE_INFINITY;
    for (const box of boxes) {
      if (box.top >= lineBottom - 1) {
        lines += 1;
        lineBottom = box.bottom;
      } else lineBottom = Math.max(lineBottom, box.bottom);
    }
    return lines;
  };
  const slots = Array.from(document.querySelectorAll('[data-paid-slot], [data-delivery-slot]'));
  const buttons = slots.flatMap((slot) => {
    const host = [slot, ...Array.from(slot.querySelectorAll('*'))].find((element) => element.shadowRoot !== null);
    const button = host?.shadowRoot?.querySelector('button[part="button"]');
    return button
      ? [
          {
            item: slot.getAttribute('data-paid-slot') ?? slot.getAttribute('data-delivery-slot'),
            lines: linesOf(button),
            text: button.textContent ?? '',
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

/** Where the layout falls short of the design; empty when it holds. */
export function layoutFaults({ buttons, cards, emptySpace_px }: ShopLayout): string[] {
  const faults = buttons
    .filter((button) => button.lines !== 1)
    .map((button) => `the button of ${button.item} takes ${button.lines} lines: ${button.text}`);
  // Cards side by side (the same top) are equally tall, their paywalls level at the foot.
  const rows = new Map<number, ShopLayout['cards'][number][]>();
  for (const card of cards) rows.set(card.top, [...(rows.get(card.top) ?? []), card]);
  for (const [top, row] of rows) {
    if (new Set(row.map((card) => card.height)).size > 1)
      faults.push(`cards at ${top} px differ in height: ${row.map((card) => card.height).join(', ')}`);
    if (new Set(row.map((card) => card.paywallBottom)).size > 1)
      faults.push(`paywalls at ${top} px end at ${row.map((card) => card.paywallBottom).join(', ')}`);
  }
  // Nothing but the paywall's own padding under its last line.
  for (const [index, space] of emptySpace_px.entries())
    if (space > 1) faults.push(`${space} px of empty space under paywall ${index + 1}`);
  return faults;
}
