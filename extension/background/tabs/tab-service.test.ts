import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectOk, startAgentWorld, type AgentWorld } from '../testing/agent-world';

let w: AgentWorld;

beforeEach(async () => {
  w = await startAgentWorld();
});

afterEach(async () => {
  await w?.close();
});

const eur = (value: string) => ({ currency: 'EUR', value });

describe('paying at a merchant (real operators, real merchant agent)', () => {
  it('opens a tab after the customer approves, pays, and answers the page with a signed receipt', async () => {
    await w.readyWallet();
    const paid = expectOk(await w.page('pay', { ...w.merchant, itemId: 'article-1', price: eur('0.08') }));
    expect(paid.receipt.payload).toMatchObject({ itemId: 'article-1', price: eur('0.08'), chainIndex: 8, seq: 1 });
    expect(w.world.merchant.agent.verifyAccess(paid.receipt.payload.accessToken, 'article-1')).toBe(true);
    expect(w.asked).toHaveLength(1);
    expect(w.asked[0]).toMatchObject({ merchantDisplayName: 'The Daily Tab', verifiedOrigin: w.shopOrigin, depositCustomer: { currency: 'SEK', value: '20.00' } });
  });
});
