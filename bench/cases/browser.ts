// Case 5: click-to-paid in Chromium with the extension. Not measured yet: this case reports null
// figures until it drives the real extension (see the note).

import { metric, type CaseResult } from '../report';

export interface BrowserOptions {
  readonly dir: string;
  readonly cpuProfileDir?: string;
  readonly clicks: number;
}

export async function runBrowserCase(_options: BrowserOptions): Promise<CaseResult> {
  return {
    name: 'browser',
    metrics: [metric('browser.clicks', null), metric('browser.click_to_paid_p50_ms', null), metric('browser.click_to_paid_p95_ms', null)],
    notes: ['not measured yet'],
  };
}
