// Secure delivery by two agent processes of one merchant on one PostgreSQL database, as behind a
// load balancer: one order's accept reaching both at once pays once and delivers once, and both
// copies are answered with the same key.

import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callRoute, DELIVERY_AGENT_API, type DeliveryKey } from '@opentab/protocol';
import type { DeliveryBuyer, TestTab, TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { startDeliveryWorld, type DeliveryWorld } from './delivery-fixture';

let w: TwoOperatorWorld;
let tab: TestTab;
let buyer: DeliveryBuyer;
let events: DeliveryWorld['events'];

beforeEach(async () => {
  ({ w, tab, buyer, events } = await startDeliveryWorld(3));
});

afterEach(async () => {
  await w.close();
});

async function storedOrder(orderId: string): Promise<Record<string, unknown>> {
  const store = w.merchant.store;
  if (store.kind !== 'postgres') throw new Error('this test is about a PostgreSQL store');
  const client = new pg.Client({ connectionString: store.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT status, accept_id, attempts::int AS attempts FROM delivery_orders WHERE order_id = $1',
      [orderId],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

describe('secure delivery by two agent processes on one PostgreSQL database', () => {
  it('accepts one order once when its accept reaches both processes at once', async () => {
    const peer = await w.merchant.startPeerAgent();
    peer.agent.on('accepted', (event) => events.push({ name: 'accepted', orderId: event.orderId }));
    for (let round = 0; round < 3; round++) {
      const progress = buyer.order(await buyer.description('wallpaper'));
      await buyer.sendOrder(progress);
      await buyer.sendK1(progress);
      const state = await buyer.sendOrder(progress);
      if (state.status !== 'package') throw new Error(`no package: ${state.status}`);
      const accept = buyer.accept(progress, state.package);
      const keys: DeliveryKey[] = await Promise.all([
        callRoute(w.merchant.agentUrl, DELIVERY_AGENT_API.accept, accept),
        callRoute(peer.agentUrl, DELIVERY_AGENT_API.accept, accept),
      ]);
      tab.accepted(accept.payload.purchase);
      // One key message, stored by whichever process accepted: the other answers with it.
      expect(keys[1]).toEqual(keys[0]);
      expect(buyer.openKey(progress, keys[0]!).byteLength).toBeGreaterThan(0);
      expect(await storedOrder(progress.order.payload.id)).toEqual({
        status: 'accepted',
        accept_id: accept.payload.id,
        attempts: 1,
      });
    }
    // Paid once per order: three purchases on the tab, each at the wallpaper's price.
    const purchases = await w.merchant.agent.purchases(tab.tabId);
    expect(purchases.map((purchase) => purchase.itemId)).toEqual(['wallpaper', 'wallpaper', 'wallpaper']);
    // Of the two processes, only the one whose accept took the order announces it.
    expect(events.filter((event) => event.name === 'accepted')).toHaveLength(3);
  });
});
