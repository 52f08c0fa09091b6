// The extension pages' type scale as the browser computes it. Passed to page.evaluate in both
// Playwright (Chromium) and puppeteer (Firefox), so it is one self-contained function.

/** Computed font sizes in CSS px; null where the page has no such element. */
export interface TypeScale {
  readonly root_px: number;
  readonly body_px: number;
  /** The page's title. */
  readonly heading_px: number | null;
  /** A line of ordinary text. */
  readonly paragraph_px: number | null;
  /** Grey secondary text (`.small`), meant to be smaller than everything above. */
  readonly small_px: number | null;
  readonly button_px: number | null;
}

/** The scale every extension page is designed to: 14 px text, 18 px titles, 12 px secondary lines. */
export const DESIGNED_TYPE_SCALE: TypeScale = {
  root_px: 14,
  body_px: 14,
  heading_px: 18,
  paragraph_px: 14,
  small_px: 12,
  button_px: 14,
};

export function measureTypeScale(): TypeScale {
  const size = (element: Element | null) =>
    element === null ? null : Number.parseFloat(getComputedStyle(element).fontSize);
  return {
    root_px: size(document.documentElement) ?? 0,
    body_px: size(document.body) ?? 0,
    heading_px: size(document.querySelector('h1')),
    paragraph_px: size(document.querySelector('main p:not(.small), main dd')),
    small_px: size(document.querySelector('.small')),
    button_px: size(document.querySelector('button')),
  };
}

/** How far the page is wider than its window (0 when nothing has to be scrolled sideways). */
export function horizontalOverflow_px(): number {
  return Math.max(0, document.documentElement.scrollWidth - window.innerWidth);
}
