// The world of the secure-delivery tests: two operators, a merchant agent delivering a prepared
// e-book (300 KB, in 16 KiB chunks) and wallpaper, an arbiter the MTA answers, and a customer with
// an open tab and a Node customer agent for deliveries.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signerFromSecretKey, toBase64url, type Signer } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import {
  CUSTOMER_OPERATOR,
  DeliveryBuyer,
  MERCHANT_OPERATOR,
  prepareProducts,
  startTwoOperatorWorld,
  type TestCustomer,
  type TestTab,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

export const EBOOK_BYTES = 300 * 1024 + 7;
const UNLIMITED = { perClient_per_s: 1_000_000, burst: 1_000_000 };

export interface DeliveryWorld {
  readonly w: TwoOperatorWorld;
  readonly folder: string;
  readonly ebook: Uint8Array;
  readonly merchantKey: Signer;
  readonly arbiter: Signer;
  readonly arbiterSecret: Uint8Array;
  readonly customer: TestCustomer;
  readonly tab: TestTab;
  readonly buyer: DeliveryBuyer;
  /** The agent's delivery events, in order. */
  readonly events: Array<{ name: string; orderId: string }>;
}

/**
 * `unlimited`: no rate limits at operators and agent, for tests that send hundreds of requests at once.
 * `sameOperator`: customer and merchant at one operator (SEK), the degenerate case.
 */
export async function startDeliveryWorld(
  maxAttempts: number,
  unlimited = false,
  sameOperator = false,
): Promise<DeliveryWorld> {
  const currency = sameOperator ? 'SEK' : 'EUR';
  const merchantOperator = sameOperator ? CUSTOMER_OPERATOR : MERCHANT_OPERATOR;
  const folder = mkdtempSync(join(tmpdir(), 'opentab-delivery-'));
  const ebook = nodeCrypto.randomBytes(EBOOK_BYTES);
  writeFileSync(join(folder, 'ebook.epub'), ebook);
  writeFileSync(join(folder, 'wallpaper.png'), nodeCrypto.randomBytes(5000));
  writeFileSync(
    join(folder, 'products.json'),
    JSON.stringify([
      {
        productId: 'ebook',
        name: 'The e-book',
        summary: 'A novel, 300 KB.',
        file: 'ebook.epub',
        mediaType: 'application/epub+zip',
        price: { currency, value: '2.00' },
      },
      {
        productId: 'wallpaper',
        name: 'A wallpaper',
        file: 'wallpaper.png',
        mediaType: 'image/png',
        price: { currency, value: '0.50' },
      },
    ]),
  );
  const merchantSecret = nodeCrypto.randomBytes(32);
  const merchantKey = signerFromSecretKey(nodeCrypto, merchantSecret);
  // Small chunks: the 300 KB e-book runs through many of them.
  await prepareProducts(nodeCrypto, folder, { merchantId: 'news', signer: merchantKey }, 16 * 1024);
  const arbiterSecret = nodeCrypto.ed25519.generateSecretKey();
  const arbiter = signerFromSecretKey(nodeCrypto, arbiterSecret);
  const w = await startTwoOperatorWorld({
    sameOperator,
    merchantSecretKey: toBase64url(merchantSecret),
    catalogue: [
      { itemId: 'ebook', title: 'The e-book', price: '2.00' },
      { itemId: 'wallpaper', title: 'A wallpaper', price: '0.50' },
    ],
    delivery: { productsDirectory: folder, maxAttempts },
    settings: {
      arbiters: [{ name: 'consumer board', publicKey: arbiter.kid }],
      ...(unlimited ? { rateLimit: { customer: UNLIMITED, peer: UNLIMITED } } : {}),
    },
    ...(unlimited ? { agentRateLimit: { customer: UNLIMITED, operator: UNLIMITED } } : {}),
  });
  const events: Array<{ name: string; orderId: string }> = [];
  for (const name of ['delivered', 'accepted', 'rejected', 'aborted'] as const)
    w.merchant.agent.on(name, (event) => events.push({ name, orderId: event.orderId }));
  const customer = await w.newCustomer('500.00');
  const tab = await customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: merchantOperator,
    merchantCurrency: currency,
    deposit: { currency: 'SEK', value: '100.00' },
    chainUnit: await customer.merchantChainUnit(w.merchant.agentUrl),
  });
  const dir = join(folder, 'customer');
  mkdirSync(dir);
  const buyer = new DeliveryBuyer(
    tab,
    {
      customerOperatorUrl: w.world.operator(CUSTOMER_OPERATOR).url,
      merchantOperatorUrl: w.world.operator(merchantOperator).url,
      agentUrl: w.merchant.agentUrl,
      dir,
    },
    w.clock.now_ms,
  );
  return { w, folder, ebook, merchantKey, arbiter, arbiterSecret, customer, tab, buyer, events };
}
