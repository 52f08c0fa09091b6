// The accessibility check every page of the extension and the widget must pass: axe-core's WCAG 2.x
// A and AA rules, run in the page as the browser laid it out; findings of serious or critical
// impact fail the test, each named with the elements it found.

import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

export interface AccessibilityFinding {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: readonly string[];
}

const BLOCKING_IMPACTS: ReadonlySet<string> = new Set(['serious', 'critical']);

/** The serious and critical findings on `page` (within `include`, a CSS selector, when given). */
export async function seriousAccessibilityFindings(page: Page, include?: string): Promise<AccessibilityFinding[]> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (include !== undefined) builder = builder.include(include);
  const { violations } = await builder.analyze();
  return violations
    .filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ''))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? '',
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
}
