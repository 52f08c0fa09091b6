// A wallet whose operator has only rates too old to publish: the operator's refusal is what the
// customer sees, and no price is converted or paid. The operator is real, its file the ECB's of
// 2024-06-28 without the demo's leave to serve it as sample rates.

import { describe, expect, it } from 'vitest';
import { SAMPLE_ECB_RATES_FILE } from '@opentab/test-kit/worlds';
import { agentWorldPerTest, expectOk, type AgentWorld } from '../testing/agent-world';

let w: AgentWorld;

agentWorldPerTest(
  async (started) => {
    w = started;
    await w.readyWallet();
  },
  { settings: { rates: { rateSource: { source: 'ecb-file', path: SAMPLE_ECB_RATES_FILE } } } },
);

describe('an operator whose rates are too old', () => {
  it('is shown in its own words instead of any rate, and nothing is converted or paid', async () => {
    const { rates } = expectOk(await w.ui('getOverview', {}));
    expect(rates).toMatchObject({ status: 'missing', source: null });
    expect(rates.refusal).toMatch(
      /^The newest exchange rates this operator has are ECB rates of 28 Jun 2024, older than the 6 days it accepts/,
    );

    const price = { currency: 'EUR', value: '0.08' };
    expect(expectOk(await w.page('convert', { prices: [price] }))).toMatchObject({
      currency: 'SEK',
      rateStatus: 'missing',
      converted: [null],
    });
    expect(await w.page('pay', { ...w.merchant, itemId: 'article-1', price })).toMatchObject({
      ok: false,
      error: {
        code: 'rate_table_expired',
        message: expect.stringMatching(
          /^Your operator has no current exchange rates, so no price can be converted\. The newest/,
        ),
      },
    });
    expect(w.asked).toEqual([]);
  });
});
