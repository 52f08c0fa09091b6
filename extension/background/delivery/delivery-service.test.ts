// The extension's side of secure delivery against the real thing: two operators and a merchant
// agent delivering a prepared e-book over HTTP, the customer agent over in-memory storage. The
// test plays the delivery window: it makes the window's calls, downloads the ciphertext itself
// (hashing it as the window does) and decrypts it with the key the background hands over.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CiphertextDigest,
  ProductDecryptor,
  concatBytes,
  fromBase64url,
  signerFromSecretKey,
  toBase64url,
  verifyEvidenceBundle,
  type EvidenceBundle,
} from '@opentab/protocol';
import { nodeCrypto } from '@opentab/test-kit';
import { hundredArticles, prepareProducts } from '@opentab/test-kit/worlds';
import { DELIVERY_CALL_CHANNEL, type DeliveryCall, type DeliveryCalls } from '../../messaging/delivery-calls';
import type { CallResult } from '../../messaging/result';
import { expectOk, startAgentWorld, type AgentWorld } from '../testing/agent-world';

const EBOOK_BYTES = 200 * 1024 + 3;
const MAX_ATTEMPTS = 3;

let folder: string;
let ebook: Uint8Array;
let w: AgentWorld;

beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), 'opentab-extension-delivery-'));
  ebook = nodeCrypto.randomBytes(EBOOK_BYTES);
  writeFileSync(join(folder, 'ebook.txt'), ebook);
  writeFileSync(
    join(folder, 'products.json'),
    JSON.stringify([
      {
        productId: 'ebook',
        name: 'The e-book',
        summary: 'A novel.',
        file: 'ebook.txt',
        mediaType: 'text/plain',
        price: { currency: 'EUR', value: '0.50' },
      },
    ]),
  );
  const merchantSecret = nodeCrypto.randomBytes(32);
  await prepareProducts(
    nodeCrypto,
    folder,
    { merchantId: 'news', signer: signerFromSecretKey(nodeCrypto, merchantSecret) },
    16 * 1024,
  );
  w = await startAgentWorld({
    merchantSecretKey: toBase64url(merchantSecret),
    catalogue: [...hundredArticles(), { itemId: 'ebook', title: 'The e-book', price: '0.50' }],
    delivery: { productsDirectory: folder, maxAttempts: MAX_ATTEMPTS },
  });
  await w.readyWallet();
});

afterEach(async () => {
  await w.close();
  rmSync(folder, { recursive: true, force: true });
});

function call<C extends DeliveryCall>(name: C, params: DeliveryCalls[C]['params']) {
  return w.agent.handleDeliveryCall({ channel: DELIVERY_CALL_CHANNEL, call: name, params }) as Promise<
    CallResult<DeliveryCalls[C]['result']>
  >;
}

/** The page's deliver call, and the delivery window it opens (by the delivery's local id). */
async function startDelivery() {
  const answer = w.page('deliver', { ...w.merchant, itemId: 'ebook', price: { currency: 'EUR', value: '0.50' } });
  const path = await waitForWindow();
  return { answer, localId: new URL(path, 'ext://x/').searchParams.get('delivery')! };
}

async function waitForWindow(): Promise<string> {
  for (let turn = 0; turn < 500; turn++) {
    const path = w.ports.windows.opened.find((opened) => opened.startsWith('delivery/'));
    if (path) return path;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no delivery window opened');
}

async function download(url: string) {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const digest = new CiphertextDigest();
  digest.update(bytes);
  return { bytes, ...digest.result() };
}

function decrypt(ciphertext: Uint8Array, key: string): Uint8Array {
  const decryptor = new ProductDecryptor(fromBase64url(key));
  return concatBytes(decryptor.push(ciphertext), decryptor.finish());
}

async function merchantSales() {
  return (await w.merchantSite().agent.tabs()).reduce(
    (sum, tab) => ({ count: sum.count + tab.purchaseCount, spent_minor: sum.spent_minor + tab.spent.minor }),
    { count: 0, spent_minor: 0n },
  );
}

describe('secure delivery in the customer agent', () => {
  it('shows the signed description before any order, pays only by the accept, and hands over a key that opens the product', async () => {
    const { answer, localId } = await startDelivery();
    // The new tab's confirmation showed what the merchant signed.
    expect(w.asked[0]?.item.delivered).toEqual({
      name: 'The e-book',
      summary: 'A novel.',
      fileName: 'ebook.txt',
      mediaType: 'text/plain',
      size_bytes: EBOOK_BYTES,
    });
    const view = expectOk(await call('getDelivery', { localId }));
    expect(view).toMatchObject({
      status: 'offered',
      product: { productId: 'ebook', summary: 'A novel.', fileName: 'ebook.txt' },
    });
    expect(await merchantSales()).toEqual({ count: 0, spent_minor: 0n });

    const step = expectOk(await call('orderDelivery', { localId }));
    if (step.kind !== 'download') throw new Error(`no package: ${step.kind}`);
    // Ordered, packaged, not paid.
    expect(await merchantSales()).toEqual({ count: 0, spent_minor: 0n });
    const downloaded = await download(step.url);
    const keyed = expectOk(
      await call('checkDownload', {
        localId,
        packageId: step.packageId,
        sha256: downloaded.sha256,
        size_bytes: downloaded.size_bytes,
      }),
    );
    if (keyed.kind !== 'key') throw new Error(`not accepted: ${keyed.kind}`);
    expect(decrypt(downloaded.bytes, keyed.key)).toEqual(ebook);
    expect(await merchantSales()).toEqual({ count: 1, spent_minor: 50n });

    expectOk(await call('deliverySaved', { localId }));
    const delivered = expectOk(await answer);
    expect(delivered).toMatchObject({
      kind: 'delivered',
      fileName: 'ebook.txt',
      receipt: { payload: { itemId: 'ebook' } },
    });

    // The bundle an arbiter checks verifies from the CA the wallet trusts.
    const { json } = expectOk(await call('exportEvidence', { localId }));
    const bundle = JSON.parse(json) as EvidenceBundle;
    const ca = bundle.operatorCertificate.kid;
    expect(verifyEvidenceBundle(nodeCrypto, bundle, ca)).toMatchObject({ ok: true, productId: 'ebook' });
    // Downloading again re-opens K2 with the stored K1, and charges nothing.
    const again = expectOk(await call('redownload', { localId }));
    expect(decrypt((await download(again.url)).bytes, again.key)).toEqual(ebook);
    expect(await merchantSales()).toEqual({ count: 1, spent_minor: 50n });
    // The popup lists it.
    expect(expectOk(await call('listDeliveries', {})).map((listed) => listed.status)).toEqual(['delivered']);
  });

  it('refuses a damaged download with a not-accept; the re-sent package is accepted and paid once', async () => {
    const { answer, localId } = await startDelivery();
    const first = expectOk(await call('orderDelivery', { localId }));
    if (first.kind !== 'download') throw new Error('no package');
    const downloaded = await download(first.url);
    const damaged = { ...downloaded, sha256: toBase64url(nodeCrypto.sha256(new Uint8Array([1]))) };
    const second = expectOk(
      await call('checkDownload', {
        localId,
        packageId: first.packageId,
        sha256: damaged.sha256,
        size_bytes: damaged.size_bytes,
      }),
    );
    if (second.kind !== 'download') throw new Error('not re-sent');
    expect(second.attempt).toBe(2);
    expect(await merchantSales()).toEqual({ count: 0, spent_minor: 0n });
    const keyed = expectOk(
      await call('checkDownload', {
        localId,
        packageId: second.packageId,
        sha256: downloaded.sha256,
        size_bytes: downloaded.size_bytes,
      }),
    );
    expect(keyed.kind).toBe('key');
    expect(expectOk(await call('getDelivery', { localId })).rejected).toEqual(['wrong-ciphertext']);
    expectOk(await call('deliverySaved', { localId }));
    expect(expectOk(await answer).kind).toBe('delivered');
    expect(await merchantSales()).toEqual({ count: 1, spent_minor: 50n });
  });

  it('ends aborted after the last refused package, and nothing is charged', async () => {
    const { answer, localId } = await startDelivery();
    let step = expectOk(await call('orderDelivery', { localId }));
    for (let attempt = 1; step.kind === 'download'; attempt++) {
      expect(step.attempt).toBe(attempt);
      step = expectOk(
        await call('checkDownload', { localId, packageId: step.packageId, sha256: 'A'.repeat(43), size_bytes: 1 }),
      );
    }
    expect(step.kind).toBe('aborted');
    expect(expectOk(await answer)).toEqual({ kind: 'aborted', itemId: 'ebook' });
    expect(expectOk(await call('getDelivery', { localId })).rejected).toHaveLength(MAX_ATTEMPTS);
    expect(await merchantSales()).toEqual({ count: 0, spent_minor: 0n });
  });

  it('orders nothing when the customer declines, and answers the page so', async () => {
    const { answer, localId } = await startDelivery();
    expect(expectOk(await call('declineDelivery', { localId })).status).toBe('declined');
    const declined = await answer;
    expect(declined.ok ? 'answered' : declined.error.code).toBe('declined_by_customer');
    expect(w.ports.fetched.some((url) => url.endsWith('/delivery/order'))).toBe(false);
  });

  it('sends the same accept again after its answer was lost, and records the purchase once', async () => {
    const { answer, localId } = await startDelivery();
    const step = expectOk(await call('orderDelivery', { localId }));
    if (step.kind !== 'download') throw new Error('no package');
    const downloaded = await download(step.url);
    const report = { localId, packageId: step.packageId, sha256: downloaded.sha256, size_bytes: downloaded.size_bytes };
    const agentUrl = w.merchantSite().agentUrl;
    w.ports.answerLost.add(`${agentUrl}/delivery/accept`);
    const lost = await call('checkDownload', report);
    expect(lost.ok ? 'answered' : lost.error.code).toBe('payment_pending');
    // The merchant took it: the purchase is on its side, not yet in the wallet.
    expect(await merchantSales()).toEqual({ count: 1, spent_minor: 50n });
    w.ports.answerLost.clear();

    const keyed = expectOk(await call('checkDownload', report));
    if (keyed.kind !== 'key') throw new Error('not accepted');
    expect(decrypt(downloaded.bytes, keyed.key)).toEqual(ebook);
    const accepts = w.ports.fetched.filter((url) => url === `${agentUrl}/delivery/accept`);
    expect(accepts).toHaveLength(2);
    expectOk(await call('deliverySaved', { localId }));
    expect(expectOk(await answer).kind).toBe('delivered');
    // One purchase, in the merchant's book and in the wallet's history alike.
    expect(await merchantSales()).toEqual({ count: 1, spent_minor: 50n });
    const history = expectOk(await w.ui('getHistory', {}));
    expect(history.purchases.filter((purchase) => purchase.itemId === 'ebook')).toHaveLength(1);
  });
});
