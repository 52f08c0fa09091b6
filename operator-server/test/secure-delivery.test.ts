// Secure delivery of digital goods (seed FIG 4, claims 24–27) between two operators over real HTTP:
// the merchant-signed description, the tab-signed order, K1 relayed by the customer's AM and signed
// by the MTA, the escrow, the package check, accept (which alone pays), K2 sealed to K1, re-sends
// after a not-accept, aborts, replays, and an arbiter's key release from the escrow.

import { execFile } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  callRoute,
  checkCiphertext,
  DELIVERY_AGENT_API,
  DELIVERY_OPERATOR_API,
  descriptionHashOf,
  fromBase64url,
  openSealedKey,
  RemoteCallError,
  seal,
  signerFromSecretKey,
  toBase64url,
  x25519KeyPair,
  type DeliveryPackage,
  type DeliveryPackagePayload,
  type EvidenceBundle,
  type KeyReleaseRequestPayload,
  type PackageProblem,
  type PayloadBody,
  type Signer,
} from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import {
  CUSTOMER_OPERATOR,
  DeliveryBuyer,
  MERCHANT_OPERATOR,
  type TestCustomer,
  type TestTab,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { boundForProcessSteps, waitFor } from '@opentab/test-kit';
import { EBOOK_BYTES, startDeliveryWorld, type DeliveryWorld } from './delivery-fixture';

const MAX_ATTEMPTS = 5;

let w: TwoOperatorWorld;
let folder: string;
let ebook: Uint8Array;
let merchantKey: Signer;
let arbiter: Signer;
let arbiterSecret: Uint8Array;
let customer: TestCustomer;
let tab: TestTab;
let buyer: DeliveryBuyer;
let events: DeliveryWorld['events'];
/** Transactions a test leaves open on purpose: their holds are still pending when it ends. */
const leftOpen: string[] = [];

beforeEach(async () => {
  ({ w, folder, ebook, merchantKey, arbiter, arbiterSecret, customer, tab, buyer, events } =
    await startDeliveryWorld(MAX_ATTEMPTS));
});

afterEach(async () => {
  try {
    await w.assertInvariants({ pendingHoldRefsAllowed: leftOpen.splice(0) });
  } finally {
    await w.close();
  }
});

/** Stops the tab, sends the customer's record and waits for the clearing: what the merchant is credited. */
async function clearTab(): Promise<{ charged: string; merchantBalance: string; count: number }> {
  const closed = await tab.terminate(w.merchant.agentUrl);
  await customer.sendRecord(tab);
  const cleared = await waitFor('the AM to capture', async () => {
    const account = await customer.account();
    return account.tabs[0]?.state === 'cleared' ? account : undefined;
  });
  const merchant = await w.world
    .operator(MERCHANT_OPERATOR)
    .admin.call('getMerchant', undefined, { merchantId: w.merchantId });
  return {
    charged: cleared.tabs[0]!.charged!.value,
    merchantBalance: merchant.balance.value,
    count: closed.payload.count,
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RemoteCallError && error.failure.kind === 'refused') return error.failure.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** A package the merchant itself signed wrongly (a faulty merchant): passes the signature check, fails the rest. */
function merchantSigned(delivered: DeliveryPackage, changes: Partial<DeliveryPackagePayload>): DeliveryPackage {
  const { id: _id, iat: _iat, ...body } = delivered.payload;
  return seal(
    nodeCrypto,
    merchantKey,
    { ...body, ...changes } satisfies PayloadBody<DeliveryPackagePayload>,
    w.clock.now_ms(),
  );
}

/** Order, K1 through the AM and the MTA, and the first package. */
async function orderedPackage(productId = 'ebook') {
  const progress = buyer.order(await buyer.description(productId));
  expect(await buyer.sendOrder(progress)).toEqual({ status: 'awaiting-k1', orderId: progress.order.payload.id });
  await buyer.sendK1(progress);
  const state = await buyer.sendOrder(progress);
  if (state.status !== 'package') throw new Error(`no package: ${state.status}`);
  return { progress, delivered: state.package };
}

describe('secure delivery between op-se (customer) and op-eu (merchant)', () => {
  it('delivers the e-book: checked, accepted, paid once, decrypted to the original bytes, cleared', async () => {
    const result = await buyer.buy('ebook');
    if (result.outcome !== 'delivered') throw new Error('not delivered');
    expect(result.rejected).toEqual([]);
    expect(new Uint8Array(readFileSync(result.plainPath))).toEqual(ebook);
    expect(result.key.payload.receipt.payload).toMatchObject({
      itemId: 'ebook',
      price: { currency: 'EUR', value: '2.00' },
    });
    expect(events.map((event) => event.name)).toEqual(['delivered', 'accepted']);
    // K1 is the MTA's: signed by op-eu, vouching for this tab's key.
    expect(result.bundle.k1Registration.kid).toBe(
      w.world.operator(MERCHANT_OPERATOR).running.context.identity.signer.kid,
    );
    expect(result.bundle.k1Registration.payload.tabPublicKey).toBe(tab.tabSigner.kid);

    const cleared = await clearTab();
    expect(cleared.count).toBe(1);
    expect(cleared.merchantBalance).toBe('2.00');
    // 200 cents × 11.3595 = 2271.9 öre → 22.72 SEK.
    expect(cleared.charged).toBe('22.72');
  });

  it('answers a bad signature, a wrong product id, a wrong description hash and a cut-off download with a not-accept and a re-send', async () => {
    const { progress, delivered } = await orderedPackage();
    const otherDescription = descriptionHashOf(nodeCrypto, await buyer.description('wallpaper'));
    const tampered: Array<[DeliveryPackage, PackageProblem]> = [
      [{ ...delivered, payload: { ...delivered.payload, productId: 'wallpaper' } }, 'bad-signature'],
      [merchantSigned(delivered, { productId: 'wallpaper' }), 'wrong-product'],
      [merchantSigned(delivered, { descriptionHash: otherDescription }), 'wrong-description'],
    ];
    let current = delivered;
    for (const [bad, problem] of tampered) {
      expect(buyer.checkPackage(progress, bad)).toBe(problem);
      // The not-accept names the package the merchant sent last; the merchant sends it again.
      const state = await buyer.reject(progress, current, problem);
      if (state.status !== 'package') throw new Error('not re-sent');
      expect(state.package.payload.attempt).toBe(current.payload.attempt + 1);
      current = state.package;
    }
    expect(buyer.checkPackage(progress, current)).toBeNull();

    // This attempt's download is cut off: the check refuses it before anything is paid, and so
    // would the decryptor (the last chunk present lacks the final flag).
    const cut = await buyer.download(current);
    truncateSync(cut.path, cut.size_bytes - 100);
    expect(checkCiphertext(current, { sha256: cut.sha256, size_bytes: cut.size_bytes - 100 })).toBe('wrong-size');
    const state = await buyer.reject(progress, current, 'wrong-size');
    if (state.status !== 'package') throw new Error('not re-sent');
    expect(tab.spent_minor).toBe(0n);

    const whole = await buyer.download(state.package);
    expect(checkCiphertext(state.package, whole)).toBeNull();
    const key = await buyer.sendAccept(buyer.accept(progress, state.package));
    const k2 = buyer.openKey(progress, key);
    await expect(buyer.decrypt(cut.path, k2, join(folder, 'cut'))).rejects.toThrow(/cut short|altered/);
    await buyer.decrypt(whole.path, k2, join(folder, 'whole'));
    expect(new Uint8Array(readFileSync(join(folder, 'whole')))).toEqual(ebook);
    expect(events.filter((event) => event.name === 'rejected')).toHaveLength(4);
    expect((await clearTab()).merchantBalance).toBe('2.00');
  });

  it('refuses a plain purchase of a delivered product: only the accept of its package pays for it', async () => {
    const price = { currency: 'EUR', value: '2.00' };
    expect(await refusal(tab.buy(w.merchant.agentUrl, 'ebook', price))).toBe('delivery_only');
    expect(tab.spent_minor).toBe(0n);
    const result = await buyer.buy('ebook');
    expect(result.outcome).toBe('delivered');
    expect((await clearTab()).merchantBalance).toBe('2.00');
  });

  it('re-sends after a not-accept, and the re-sent package is accepted and paid', async () => {
    const { progress, delivered } = await orderedPackage();
    const resent = await buyer.reject(progress, delivered, 'wrong-ciphertext');
    if (resent.status !== 'package') throw new Error('not re-sent');
    expect(resent.package.payload.attempt).toBe(2);
    // The first package is no longer the one to accept.
    expect(await refusal(buyer.sendAccept(buyer.accept(progress, delivered)))).toBe('delivery_mismatch');
    const downloaded = await buyer.download(resent.package);
    const key = await buyer.sendAccept(buyer.accept(progress, resent.package));
    const plain = join(folder, 'plain');
    await buyer.decrypt(downloaded.path, buyer.openKey(progress, key), plain);
    expect(new Uint8Array(readFileSync(plain))).toEqual(ebook);
    expect(events.map((event) => event.name)).toEqual(['delivered', 'rejected', 'delivered', 'accepted']);
    expect((await clearTab()).merchantBalance).toBe('2.00');
  });

  it('aborts after the last failed attempt and charges nothing', async () => {
    const { progress, delivered } = await orderedPackage();
    let current = delivered;
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const state = await buyer.reject(progress, current, 'wrong-ciphertext');
      if (state.status !== 'package') throw new Error('not re-sent');
      current = state.package;
    }
    expect(await buyer.reject(progress, current, 'wrong-ciphertext')).toEqual({
      status: 'aborted',
      orderId: progress.order.payload.id,
    });
    expect(events.map((event) => event.name)).toEqual([
      ...Array.from({ length: MAX_ATTEMPTS }, () => ['delivered', 'rejected']).flat(),
      'aborted',
    ]);
    expect(await refusal(buyer.sendAccept(buyer.accept(progress, current)))).toBe('delivery_aborted');
    expect(await buyer.sendOrder(progress)).toEqual({ status: 'aborted', orderId: progress.order.payload.id });
    const cleared = await clearTab();
    expect(cleared).toEqual({ charged: '0.00', merchantBalance: '0.00', count: 0 });
  });

  it('never charges an order that was never accepted: the merchant has no chain link to claim it with', async () => {
    await orderedPackage();
    expect(events.map((event) => event.name)).toEqual(['delivered']);
    expect(await clearTab()).toEqual({ charged: '0.00', merchantBalance: '0.00', count: 0 });
  });

  it('counts a replayed accept once, and refuses a second accept of the same order', async () => {
    const { progress, delivered } = await orderedPackage();
    const accept = buyer.accept(progress, delivered);
    const first = await buyer.sendAccept(accept);
    const again = await callRoute(w.merchant.agentUrl, DELIVERY_AGENT_API.accept, accept);
    expect(again).toEqual(first);
    const another = buyer.accept(progress, delivered, tab.nextPurchase('ebook', { currency: 'EUR', value: '2.00' }));
    expect(await refusal(callRoute(w.merchant.agentUrl, DELIVERY_AGENT_API.accept, another))).toBe('already_accepted');
    expect(await w.merchant.agent.purchases(tab.tabId)).toHaveLength(1);
    expect(events.filter((event) => event.name === 'accepted')).toHaveLength(1);
    expect((await clearTab()).merchantBalance).toBe('2.00');
  });

  it('opens the product again later: the same accept is answered with the same sealed K2, after the tab ended', async () => {
    const { progress, delivered } = await orderedPackage();
    const downloaded = await buyer.download(delivered);
    const accept = buyer.accept(progress, delivered);
    const first = await buyer.sendAccept(accept);
    // Hours later, past the tab's timeout and the clock-skew window: the wallet still holds K1 and its accept.
    await w.elapse(3 * 3_600_000);
    const again = await callRoute(w.merchant.agentUrl, DELIVERY_AGENT_API.accept, accept);
    expect(again).toEqual(first);
    const plain = join(folder, 'again');
    await buyer.decrypt(downloaded.path, buyer.openKey(progress, again), plain);
    expect(new Uint8Array(readFileSync(plain))).toEqual(ebook);
    expect(await w.merchant.agent.purchases(tab.tabId)).toHaveLength(1);
    leftOpen.push(tab.transactionId);
  });

  it("refuses an accept for another order's package, and another tab's accept of this order", async () => {
    const first = await orderedPackage('ebook');
    const second = await orderedPackage('wallpaper');
    const crossed = buyer.accept(first.progress, second.delivered);
    expect(await refusal(callRoute(w.merchant.agentUrl, DELIVERY_AGENT_API.accept, crossed))).toBe('delivery_mismatch');

    const otherTab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '50.00' },
      chainUnit: await customer.merchantChainUnit(w.merchant.agentUrl),
    });
    const intruder = new DeliveryBuyer(
      otherTab,
      { customerOperatorUrl: '', merchantOperatorUrl: '', agentUrl: w.merchant.agentUrl, dir: folder },
      w.clock.now_ms,
    );
    const foreign = intruder.accept(first.progress, first.delivered);
    expect(await refusal(callRoute(w.merchant.agentUrl, DELIVERY_AGENT_API.accept, foreign))).toBe('unknown_order');
    // Under this tab's id but signed by the other tab's key.
    const { id: _id, iat: _iat, ...body } = buyer.accept(first.progress, first.delivered).payload;
    const forged = seal(nodeCrypto, otherTab.tabSigner, body, w.clock.now_ms());
    expect(await refusal(callRoute(w.merchant.agentUrl, DELIVERY_AGENT_API.accept, forged))).toBe('bad_signature');
    expect(await w.merchant.agent.purchases(tab.tabId)).toHaveLength(0);
    expect(await w.merchant.agent.purchases(otherTab.tabId)).toHaveLength(0);
    leftOpen.push(tab.transactionId, otherTab.transactionId);
  });

  it('resolves a merchant that never sends K2 after the accept through the escrow and an arbiter', async () => {
    const { progress, delivered } = await orderedPackage();
    const downloaded = await buyer.download(delivered);
    const accept = buyer.accept(progress, delivered);
    // The accept is taken (and paid), but its answer never comes, and then the merchant is gone.
    w.merchant.loseAnswers('/delivery/accept');
    await expect(buyer.sendAccept(accept)).rejects.toThrow();
    await w.merchant.stopAgent();
    const bundle = await buyer.evidence(progress, delivered, accept);

    const arbiterKey = x25519KeyPair((length) => nodeCrypto.randomBytes(length));
    const release = await callRoute(
      w.world.operator(MERCHANT_OPERATOR).url,
      DELIVERY_OPERATOR_API.keyRelease,
      seal(
        nodeCrypto,
        arbiter,
        {
          type: 'key-release-request',
          bundle,
          arbiterKey: toBase64url(arbiterKey.publicKey),
        } satisfies PayloadBody<KeyReleaseRequestPayload>,
        w.clock.now_ms(),
      ),
    );
    const k2 = openSealedKey(arbiterKey.secretKey, fromBase64url(release.payload.sealedKey), progress.order.payload.id);
    const plain = join(folder, 'released');
    await buyer.decrypt(downloaded.path, k2, plain);
    expect(new Uint8Array(readFileSync(plain))).toEqual(ebook);
    expect(await w.world.operator(MERCHANT_OPERATOR).running.context.storage.delivery.releases()).toEqual([
      expect.objectContaining({ arbiterName: 'consumer board', orderId: progress.order.payload.id }),
    ]);
    leftOpen.push(tab.transactionId);
  });

  it('releases no key for a forged bundle, nor to anyone but a configured arbiter', async () => {
    const result = await buyer.buy('ebook');
    if (result.outcome !== 'delivered') throw new Error('not delivered');
    const mta = w.world.operator(MERCHANT_OPERATOR).url;
    const ask = (signer: Signer, bundle: EvidenceBundle) =>
      callRoute(
        mta,
        DELIVERY_OPERATOR_API.keyRelease,
        seal(
          nodeCrypto,
          signer,
          {
            type: 'key-release-request',
            bundle,
            arbiterKey: toBase64url(x25519KeyPair((length) => nodeCrypto.randomBytes(length)).publicKey),
          } satisfies PayloadBody<KeyReleaseRequestPayload>,
          w.clock.now_ms(),
        ),
      );
    const forged: EvidenceBundle = {
      ...result.bundle,
      description: {
        ...result.bundle.description,
        payload: { ...result.bundle.description.payload, summary: 'A signed first edition.' },
      },
    };
    expect(await refusal(ask(arbiter, forged))).toBe('evidence_invalid');
    const stranger = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    expect(await refusal(ask(stranger, result.bundle))).toBe('unknown_arbiter');
    expect(await w.world.operator(MERCHANT_OPERATOR).running.context.storage.delivery.releases()).toEqual([]);
    await ask(arbiter, result.bundle);
    expect(await w.world.operator(MERCHANT_OPERATOR).running.context.storage.delivery.releases()).toHaveLength(1);
    leftOpen.push(tab.transactionId);
  });

  // Six runs of the CLI, each a Node process of its own.
  const cliBound = { timeout: boundForProcessSteps(6) };
  it(
    'ships the arbiter CLI: verify a good bundle, refuse a forged one, release the key and decrypt',
    cliBound,
    async () => {
      const result = await buyer.buy('ebook');
      if (result.outcome !== 'delivered') throw new Error('not delivered');
      const caKey = w.world.operator(MERCHANT_OPERATOR).running.context.config.caPublicKey;
      const mta = w.world.operator(MERCHANT_OPERATOR).url;
      const good = join(folder, 'bundle.json');
      writeFileSync(good, JSON.stringify(result.bundle));
      const forged = join(folder, 'forged.json');
      const forgedBundle = structuredClone(result.bundle);
      forgedBundle.description.payload.size_bytes += 1;
      writeFileSync(forged, JSON.stringify(forgedBundle));
      const keyFile = join(folder, 'arbiter.key');
      writeFileSync(keyFile, toBase64url(arbiterSecret));

      const verified = await operatorCli('arbiter', 'verify', good, '--ca-key', caKey);
      expect(verified.exitCode).toBe(0);
      expect(verified.output).toMatchObject({
        ok: true,
        orderId: result.key.payload.orderId,
        described: { productId: 'ebook', name: 'The e-book', size_bytes: EBOOK_BYTES, price: { value: '2.00' } },
      });
      const refused = await operatorCli('arbiter', 'verify', forged, '--ca-key', caKey);
      expect(refused.exitCode).toBe(1);
      expect(refused.output.problems).toContain('the product description is not signed by the merchant');
      expect((await operatorCli('arbiter', 'verify', good, '--ca-key', arbiter.kid)).exitCode).toBe(1);

      const out = join(folder, 'from-escrow.epub');
      const release = ['arbiter', 'release-key', '--ca-key', caKey, '--operator', mta, '--arbiter-key', keyFile];
      const released = await operatorCli(...release, good, '--ciphertext', result.cipherPath, '--out', out);
      expect(released.exitCode).toBe(0);
      expect(released.output.decrypted).toEqual({ file: out, size_bytes: EBOOK_BYTES, sizeAsDescribed: true });
      expect(new Uint8Array(readFileSync(out))).toEqual(ebook);
      expect((await operatorCli(...release, forged)).exitCode).toBe(1);
      expect(await w.world.operator(MERCHANT_OPERATOR).running.context.storage.delivery.releases()).toHaveLength(1);
      leftOpen.push(tab.transactionId);
    },
  );
});

/** The operator CLI as a process of its own: its JSON output and its exit code. */
function operatorCli(...args: string[]): Promise<{ output: any; exitCode: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'operator-server/src/cli/main.ts', ...args], (error, stdout) => {
      if (error !== null && typeof error.code !== 'number') return reject(error);
      const exitCode = error === null ? 0 : (error.code as number);
      resolve({ output: stdout === '' ? null : JSON.parse(stdout), exitCode });
    });
  });
}

describe('secure delivery at one operator (customer and merchant both at op-se)', () => {
  it('relays K1 to itself, escrows and delivers the e-book', async () => {
    leftOpen.push(tab.transactionId); // the two-operator world of beforeEach is not used here
    const one = await startDeliveryWorld(MAX_ATTEMPTS, false, true);
    try {
      const result = await one.buyer.buy('ebook');
      if (result.outcome !== 'delivered') throw new Error('not delivered');
      expect(new Uint8Array(readFileSync(result.plainPath))).toEqual(one.ebook);
      expect(result.bundle.k1Registration.payload.operatorId).toBe(CUSTOMER_OPERATOR);
      expect(await one.w.merchant.agent.purchases(one.tab.tabId)).toHaveLength(1);
      await one.w.assertInvariants({ pendingHoldRefsAllowed: [one.tab.transactionId] });
    } finally {
      await one.w.close();
    }
  });
});
