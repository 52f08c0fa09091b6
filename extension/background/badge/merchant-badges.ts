// The badge of each browser tab that shows a merchant's page: the remaining deposit of the tab
// open there. Pages set it with their calls; a tab closed from the popup or by its timeout has no
// page call to clear it, so the browser tabs that show each merchant's badge are remembered and
// cleared then. Worker memory only: a browser tab's badge ends with the page it was set on, and a
// new worker has shown none.

import type { BadgePort } from '../ports';

export class MerchantBadges {
  /** Browser tab ids by merchant key, for those whose badge shows an amount. */
  private readonly shownAt = new Map<string, Set<number>>();

  constructor(private readonly badge: BadgePort) {}

  /** Shows `text` ('' clears it) on one browser tab showing `merchantKey`'s page. A badge is a courtesy: failures are ignored. */
  async show(merchantKey: string, browserTabId: number, text: string): Promise<void> {
    for (const [key, tabs] of this.shownAt) if (key !== merchantKey) tabs.delete(browserTabId);
    const tabs = this.shownAt.get(merchantKey) ?? new Set<number>();
    if (text === '') tabs.delete(browserTabId);
    else tabs.add(browserTabId);
    if (tabs.size > 0) this.shownAt.set(merchantKey, tabs);
    else this.shownAt.delete(merchantKey);
    await this.badge.show(browserTabId, text).catch(() => undefined);
  }

  /** Clears the badge wherever it shows this merchant's tab. */
  async clear(merchantKey: string): Promise<void> {
    const tabs = this.shownAt.get(merchantKey);
    this.shownAt.delete(merchantKey);
    await Promise.all(
      [...(tabs ?? [])].map((browserTabId) => this.badge.show(browserTabId, '').catch(() => undefined)),
    );
  }
}
