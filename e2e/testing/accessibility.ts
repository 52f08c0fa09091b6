// The accessibility check every page of the extension and the widget must pass: axe-core's WCAG 2.x
// A and AA rules, run in the page as the browser laid it out; findings of serious or critical
// impact fail the test, each named with the elements it found. Chromium's pages are Playwright's
// (AxeBuilder); Firefox's are puppeteer's over WebDriver BiDi, where the same axe-core that
// AxeBuilder injects is evaluated in the page and run there with the same rules.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { Page as PuppeteerPage } from 'puppeteer-core';

export interface AccessibilityFinding {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: readonly string[];
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING_IMPACTS: ReadonlySet<string> = new Set(['serious', 'critical']);

interface AxeViolation {
  readonly id: string;
  readonly impact?: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly unknown[] }[];
}

function blocking(violations: readonly AxeViolation[]): AccessibilityFinding[] {
  return violations
    .filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ''))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? '',
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
}

/** The serious and critical findings on `page` (within `include`, a CSS selector, when given). */
export async function seriousAccessibilityFindings(page: Page, include?: string): Promise<AccessibilityFinding[]> {
  let builder = new AxeBuilder({ page }).withTags(WCAG_TAGS);
  if (include !== undefined) builder = builder.include(include);
  const { violations } = await builder.analyze();
  return blocking(violations);
}

/** axe-core as @axe-core/playwright injects it: the very copy that package depends on. */
const AXE_SOURCE = readFileSync(
  createRequire(createRequire(import.meta.url).resolve('@axe-core/playwright')).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** The same check on a Firefox page driven over BiDi. */
export async function seriousFirefoxAccessibilityFindings(
  page: PuppeteerPage,
  include?: string,
): Promise<AccessibilityFinding[]> {
  await page.evaluate(AXE_SOURCE);
  const run = await page.evaluate(
    async (context, tags) => {
      const axe = (
        window as unknown as { axe: { run: (...args: unknown[]) => Promise<{ violations: unknown; passes: unknown }> } }
      ).axe;
      const results = await axe.run(context === null ? document : { include: [context] }, {
        runOnly: { type: 'tag', values: tags },
      });
      // Only plain data crosses back over BiDi.
      return {
        violations: JSON.parse(JSON.stringify(results.violations)) as AxeViolation[],
        checked: (results.passes as unknown[]).length + (results.violations as unknown[]).length,
      };
    },
    include ?? null,
    WCAG_TAGS,
  );
  // A run that checked nothing (an empty page, a selector that matched nothing) proves nothing.
  if (run.checked === 0) throw new Error(`axe-core checked no rule on ${page.url()}`);
  return blocking(run.violations);
}
