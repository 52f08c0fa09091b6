// The MTA's secure-delivery tables as a group of the operator's store, one suite run on both
// stores: the escrow key is made once, and each registration, escrow and release is kept once.

import { describe, expect, it } from 'vitest';
import type { KeyReleaseLogEntry } from '../delivery/delivery-store';
import { BOTH_STORES } from './testing/both-stores';

const NOW_MS = 1_800_000_000_000;

const registration = (k1: string) => ({
  orderId: 'order-1',
  tabId: 'tab_1',
  merchantId: 'shop-1',
  k1,
  json: JSON.stringify({ k1 }),
});

const release = (requestId: string, arbiterName: string, at_ms: number): KeyReleaseLogEntry => ({
  requestId,
  arbiterName,
  arbiterKey: `${arbiterName}-key`,
  orderId: 'order-1',
  releasedAt_ms: at_ms,
});

describe.each(BOTH_STORES)('the delivery tables of the operator store on $name', ({ open }) => {
  it('makes the escrow key once: every caller racing for it gets the one kept', async () => {
    const { delivery } = await open();
    let made = 0;
    const make = () => {
      made += 1;
      return { secretKey: `secret-${made}`, publicKey: `public-${made}` };
    };
    const keys = await Promise.all([1, 2, 3].map(() => delivery.escrowKey(make, NOW_MS)));
    expect(new Set(keys.map((key) => JSON.stringify(key))).size).toBe(1);
    expect(made).toBeGreaterThanOrEqual(1);
    expect(await delivery.escrowKey(make, NOW_MS + 1)).toEqual(keys[0]);
  });

  it('keeps a K1 registration, its escrow and each key release once under its id', async () => {
    const { delivery } = await open();
    expect(await delivery.registrationJson('order-1')).toBeNull();
    const registered = await Promise.all(
      ['k1-a', 'k1-b'].map((k1) => delivery.insertRegistration(registration(k1), NOW_MS)),
    );
    expect(registered.filter(Boolean)).toHaveLength(1);
    expect(await delivery.registrationJson('order-1')).toBe(registration(registered[0] ? 'k1-a' : 'k1-b').json);

    expect(await delivery.escrow('order-1')).toBeNull();
    expect(await delivery.insertEscrow('order-1', 'shop-1', '{"k2":"sealed"}', '{"ack":1}', NOW_MS)).toBe(true);
    expect(await delivery.insertEscrow('order-1', 'shop-1', '{"k2":"other"}', '{"ack":2}', NOW_MS)).toBe(false);
    expect(await delivery.escrow('order-1')).toEqual({ escrowJson: '{"k2":"sealed"}', ackJson: '{"ack":1}' });

    expect(await delivery.releaseAnswerJson('release-1')).toBeNull();
    expect(await delivery.logRelease(release('release-2', 'bea', NOW_MS + 5), '{"r":2}', '{"a":2}')).toBe(true);
    expect(await delivery.logRelease(release('release-1', 'ann', NOW_MS + 5), '{"r":1}', '{"a":1}')).toBe(true);
    expect(await delivery.logRelease(release('release-1', 'cal', NOW_MS + 9), '{"r":3}', '{"a":3}')).toBe(false);
    expect(await delivery.releaseAnswerJson('release-1')).toBe('{"a":1}');
    expect(await delivery.releases()).toEqual([
      release('release-1', 'ann', NOW_MS + 5),
      release('release-2', 'bea', NOW_MS + 5),
    ]);
  });

  it('escrows only what was registered', async () => {
    const { delivery } = await open();
    await expect(delivery.insertEscrow('order-9', 'shop-1', '{}', '{}', NOW_MS)).rejects.toThrow();
    expect(await delivery.escrow('order-9')).toBeNull();
  });
});
