import { describe, expect, it } from 'vitest';
import { RecordingBadge } from '../testing/test-ports';
import { MerchantBadges } from './merchant-badges';

describe('MerchantBadges', () => {
  it("clears a merchant's badge on every browser tab that shows it, and only there", async () => {
    const badge = new RecordingBadge();
    const badges = new MerchantBadges(badge);
    await badges.show('op-eu/news', 1, '17.3');
    await badges.show('op-eu/news', 2, '17.3');
    await badges.show('op-eu/books', 3, '4.00');
    await badges.clear('op-eu/news');
    expect([...badge.texts]).toEqual([
      [1, ''],
      [2, ''],
      [3, '4.00'],
    ]);
  });

  it('forgets a browser tab that went on to another merchant or was cleared by its page', async () => {
    const badge = new RecordingBadge();
    const badges = new MerchantBadges(badge);
    await badges.show('op-eu/news', 1, '17.3');
    await badges.show('op-eu/books', 1, '4.00');
    await badges.show('op-eu/news', 2, '17.3');
    await badges.show('op-eu/news', 2, '');
    badge.texts.set(2, 'set by a later page');
    await badges.clear('op-eu/news');
    expect([...badge.texts]).toEqual([
      [1, '4.00'],
      [2, 'set by a later page'],
    ]);
  });

  it('ignores a badge the browser refuses to set', async () => {
    const badges = new MerchantBadges({ show: () => Promise.reject(new Error('No tab with id: 7')) });
    await expect(badges.show('op-eu/news', 7, '1.00')).resolves.toBeUndefined();
    await expect(badges.clear('op-eu/news')).resolves.toBeUndefined();
  });
});
