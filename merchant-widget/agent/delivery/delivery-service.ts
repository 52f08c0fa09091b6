// The merchant agent's side of secure delivery (seed FIG 4, claims 24–27). An order (signed by the
// tab key, on an open tab, naming the current signed description) waits for the K1 its MTA signs;
// then K2 is escrowed with the MTA and the signed package goes out. A not-accept gets the package
// again, up to `maxAttempts`, then the order is aborted and nothing is charged. The accept carries
// the tab purchase that pays: it is taken exactly as a click-to-pay purchase (hash-chain link,
// catalogue price, the tab's deposit), and only then is K2 sealed to K1 and the order marked
// accepted. A replayed accept is answered from the order's row. Agent processes sharing one
// store may get copies of one message at once: each change of an order is conditional
// (delivery-store.ts), and the copy whose change did not take answers from the row as it stands.

import {
  callRoute,
  DELIVERY_CONTENT_PREFIX,
  DELIVERY_OPERATOR_API,
  fromBase64url,
  KeyedLock,
  OpentabError,
  sealKey,
  seal,
  toBase64url,
  type CryptoProvider,
  type DeliveryAccept,
  type DeliveryEscrow,
  type DeliveryEscrowAck,
  type DeliveryEscrowPayload,
  type DeliveryKey,
  type DeliveryKeyPayload,
  type DeliveryOrder,
  type DeliveryPackage,
  type DeliveryPackagePayload,
  type DeliveryReject,
  type DeliveryState,
  type K1Registration,
  type PayloadBody,
  type ProductList,
  type Signer,
} from '@opentab/protocol';
import type { AgentSettings } from '../config';
import type { AgentEvents } from '../events';
import { requireFresh, requireSignedBy } from '../message-checks';
import { requestDigest } from '../replay-guard';
import type { OperatorKeys } from '../operator-keys';
import type { AgentStore } from '../store';
import type { TabService } from '../tab-service';
import type { TabRecord } from '../tab-record';
import type { DeliveryOrderRow, DeliveryStore } from './delivery-store';
import type { ProductShelf, ShelvedProduct } from './product-shelf';

export interface DeliveryServiceDependencies {
  readonly settings: AgentSettings;
  readonly crypto: CryptoProvider;
  readonly store: AgentStore;
  readonly deliveries: DeliveryStore;
  readonly shelf: ProductShelf;
  readonly tabs: Pick<TabService, 'purchase'>;
  readonly merchantKey: Signer;
  readonly events: AgentEvents;
  readonly maxAttempts: number;
  readonly operatorKeys: OperatorKeys;
}

export class DeliveryService {
  /** One step at a time per order: two copies of an order must not escrow or package twice. */
  private readonly orderLock = new KeyedLock();

  constructor(private readonly deps: DeliveryServiceDependencies) {}

  products(): ProductList {
    return { products: this.deps.shelf.descriptions() };
  }

  /** Whether `productId` is one this agent sells by secure delivery (and so only by an accept). */
  delivers(productId: string): boolean {
    return this.deps.shelf.product(productId) !== undefined;
  }

  /** The ciphertext file of a product this agent delivers, or null. */
  contentFile(path: string): { path: string; size_bytes: number } | null {
    if (!path.startsWith(DELIVERY_CONTENT_PREFIX)) return null;
    let productId: string;
    try {
      productId = decodeURIComponent(path.slice(DELIVERY_CONTENT_PREFIX.length));
    } catch {
      return null; // a malformed escape names no product
    }
    const product = this.deps.shelf.product(productId);
    return product === undefined
      ? null
      : { path: product.cipherPath, size_bytes: product.description.payload.encryptedSize_bytes };
  }

  /** The MTA passes on the customer's K1 for an order, signed (claim 25). */
  async acceptK1Registration(registration: K1Registration): Promise<{ received: true }> {
    const { settings, store, deliveries } = this.deps;
    const p = registration.payload;
    await this.deps.operatorKeys.learnAbout([registration.kid]);
    this.deps.operatorKeys.requireSigned(
      registration,
      settings.clock.now_ms(),
      `K1 is not signed by operator ${settings.operatorId}.`,
    );
    if (p.operatorId !== settings.operatorId) throw new OpentabError('unknown_peer');
    if (p.merchantId !== settings.merchantId) throw new OpentabError('unknown_merchant');
    const tab = await store.findTab(p.tabId);
    if (tab === null || tab.tabPublicKey !== p.tabPublicKey) throw new OpentabError('unknown_tab');
    const known = await deliveries.k1RegistrationJson(p.orderId);
    if (known !== null) {
      // The MTA sends its one registration again when our answer was lost, however long ago it
      // signed it; another K1 for the same order is never taken.
      if ((JSON.parse(known) as K1Registration).payload.k1 !== p.k1)
        throw new OpentabError('conflict', 'This order already has another K1.');
      return { received: true };
    }
    requireFresh(p.iat, settings.clock.now_ms(), settings.clockSkew_ms);
    if (!(await deliveries.insertK1(p.orderId, p.tabId, JSON.stringify(registration), settings.clock.now_ms())))
      return this.acceptK1Registration(registration); // another process stored one first: compared above
    return { received: true };
  }

  order(order: DeliveryOrder): Promise<DeliveryState> {
    return this.orderLock.run(order.payload.id, async () => {
      const { crypto, settings, deliveries } = this.deps;
      const p = order.payload;
      const digest = requestDigest(crypto, order);
      const known = await deliveries.order(p.id);
      if (known !== null) {
        if (known.orderDigest !== digest) throw new OpentabError('id_reused');
        return this.stateOf(known);
      }
      const tab = await this.signedByTab(order, p.tabId);
      const now_ms = settings.clock.now_ms();
      requireFresh(p.iat, now_ms, settings.clockSkew_ms);
      if (tab.lifecycle.status !== 'open' || now_ms >= tab.expiresAt_ms) throw new OpentabError('tab_closed');
      const product = this.productOf(p.productId);
      if (
        p.descriptionHash !== product.descriptionHash ||
        p.price.currency !== product.description.payload.price.currency ||
        p.price.value !== product.description.payload.price.value
      )
        throw new OpentabError('description_mismatch');
      await deliveries.insertOrder(
        { orderId: p.id, tabId: p.tabId, productId: p.productId, digest, json: JSON.stringify(order) },
        now_ms,
      );
      // Stored by this process or, at the same moment, by another one: the same order or a reused id.
      const stored = (await deliveries.order(p.id))!;
      if (stored.orderDigest !== digest) throw new OpentabError('id_reused');
      return this.stateOf(stored);
    });
  }

  reject(reject: DeliveryReject): Promise<DeliveryState> {
    return this.orderLock.run(reject.payload.orderId, async () => {
      const { settings, deliveries, events, maxAttempts } = this.deps;
      const p = reject.payload;
      const row = await this.orderOfTab(p.orderId, p.tabId);
      await this.signedByTab(reject, p.tabId);
      const now_ms = settings.clock.now_ms();
      requireFresh(p.iat, now_ms, settings.clockSkew_ms);
      const current = row.packageJson === null ? null : (JSON.parse(row.packageJson) as DeliveryPackage);
      // A not-accept of an earlier package (a replay, or one that crossed the re-send) changes nothing.
      if (row.status !== 'ordered' || current === null || current.payload.id !== p.packageId) return this.stateOf(row);
      events.emit('rejected', { tabId: p.tabId, orderId: p.orderId, problem: p.problem, attempt: row.attempts });
      if (row.attempts >= maxAttempts) {
        if (!(await deliveries.abort(p.orderId, now_ms))) return this.stateOf((await deliveries.order(p.orderId))!);
        events.emit('aborted', { tabId: p.tabId, orderId: p.orderId, productId: row.productId });
        return { status: 'aborted', orderId: p.orderId };
      }
      return this.sendPackage(row, now_ms);
    });
  }

  accept(accept: DeliveryAccept): Promise<DeliveryKey> {
    return this.orderLock.run(accept.payload.orderId, async () => {
      const { crypto, settings, deliveries, tabs, events } = this.deps;
      const p = accept.payload;
      const digest = requestDigest(crypto, accept);
      const row = await this.orderOfTab(p.orderId, p.tabId);
      const replay = this.answeredAccept(row, p.id, digest);
      if (replay !== null) return replay;
      await this.signedByTab(accept, p.tabId);
      const now_ms = settings.clock.now_ms();
      requireFresh(p.iat, now_ms, settings.clockSkew_ms);
      if (row.status === 'aborted') throw new OpentabError('delivery_aborted');
      if (row.status === 'accepted') throw new OpentabError('already_accepted');
      const current = row.packageJson === null ? null : (JSON.parse(row.packageJson) as DeliveryPackage);
      const product = this.productOf(row.productId);
      const order = JSON.parse(row.orderJson) as DeliveryOrder;
      if (current === null || current.payload.id !== p.packageId)
        throw new OpentabError('delivery_mismatch', 'The accept names a package this order was not sent last.');
      if (p.ciphertextHash !== product.description.payload.ciphertextHash)
        throw new OpentabError('delivery_mismatch', 'The accept names another ciphertext than the package.');
      const purchase = p.purchase;
      if (
        purchase.tabId !== p.tabId ||
        purchase.itemId !== row.productId ||
        purchase.price.currency !== order.payload.price.currency ||
        purchase.price.value !== order.payload.price.value
      )
        throw new OpentabError(
          'delivery_mismatch',
          'The purchase in the accept is not the ordered product at its price.',
        );
      const registration = await this.k1Of(row.orderId);

      // The purchase commits on its own, exactly as a click-to-pay one; it is idempotent by its id, so an
      // accept sent again after a stop between the two commits pays nothing twice and completes the order.
      const receipt = await tabs.purchase(purchase);
      const answer = seal(
        crypto,
        this.deps.merchantKey,
        {
          type: 'delivery-key',
          merchantId: settings.merchantId,
          tabId: p.tabId,
          orderId: p.orderId,
          acceptId: p.id,
          sealedKey: toBase64url(
            sealKey(
              (length) => crypto.randomBytes(length),
              fromBase64url(registration.payload.k1),
              product.key,
              p.orderId,
            ),
          ),
          receipt,
        } satisfies PayloadBody<DeliveryKeyPayload>,
        now_ms,
      );
      if (!(await deliveries.accept(p.orderId, p.id, digest, JSON.stringify(answer), now_ms))) {
        // Another process accepted the order first: a copy of this accept gets the answer it stored.
        const stored = this.answeredAccept((await deliveries.order(p.orderId))!, p.id, digest);
        if (stored !== null) return stored;
        throw new OpentabError('already_accepted');
      }
      events.emit('accepted', {
        tabId: p.tabId,
        orderId: p.orderId,
        productId: row.productId,
        purchaseId: purchase.id,
      });
      return answer;
    });
  }

  /** The key answer stored for this accept (by this process or another), null when the order holds none for it. */
  private answeredAccept(row: DeliveryOrderRow, acceptId: string, digest: string): DeliveryKey | null {
    if (row.acceptId !== acceptId) return null;
    if (row.acceptDigest !== digest) throw new OpentabError('id_reused');
    return JSON.parse(row.keyJson!) as DeliveryKey;
  }

  /** Where an order stands, sending its first package once K1 is here (after escrowing K2 with the MTA). */
  private async stateOf(row: DeliveryOrderRow): Promise<DeliveryState> {
    if (row.status === 'aborted') return { status: 'aborted', orderId: row.orderId };
    if (row.packageJson !== null) return { status: 'package', package: JSON.parse(row.packageJson) };
    if ((await this.deps.deliveries.k1RegistrationJson(row.orderId)) === null)
      return { status: 'awaiting-k1', orderId: row.orderId };
    if (row.escrowAckJson === null) await this.escrow(row);
    return this.sendPackage(row, this.deps.settings.clock.now_ms());
  }

  /**
   * A new signed package for the order (the next attempt), stored as its current one; when another
   * process sent the next one first, the order as it now stands.
   */
  private async sendPackage(row: DeliveryOrderRow, now_ms: number): Promise<DeliveryState> {
    const { settings, crypto, deliveries, events } = this.deps;
    const product = this.productOf(row.productId);
    const attempt = row.attempts + 1;
    const delivered = seal(
      crypto,
      this.deps.merchantKey,
      {
        type: 'delivery-package',
        merchantId: settings.merchantId,
        tabId: row.tabId,
        orderId: row.orderId,
        productId: row.productId,
        descriptionHash: product.descriptionHash,
        ciphertextHash: product.description.payload.ciphertextHash,
        encryptedSize_bytes: product.description.payload.encryptedSize_bytes,
        contentPath: `${DELIVERY_CONTENT_PREFIX}${row.productId}`,
        attempt,
      } satisfies PayloadBody<DeliveryPackagePayload>,
      now_ms,
    );
    if (!(await deliveries.setPackage(row.orderId, JSON.stringify(delivered), attempt, now_ms)))
      return this.stateOf((await deliveries.order(row.orderId))!);
    events.emit('delivered', { tabId: row.tabId, orderId: row.orderId, productId: row.productId, attempt });
    return { status: 'package', package: delivered };
  }

  /** K2 sealed to the MTA's escrow key (named in the K1 it signed), acknowledged by the MTA before any package leaves. */
  private async escrow(row: DeliveryOrderRow): Promise<void> {
    const { settings, crypto, deliveries } = this.deps;
    const product = this.productOf(row.productId);
    const registration = await this.k1Of(row.orderId);
    const escrow: DeliveryEscrow = seal(
      crypto,
      this.deps.merchantKey,
      {
        type: 'delivery-escrow',
        merchantId: settings.merchantId,
        tabId: row.tabId,
        orderId: row.orderId,
        productId: row.productId,
        ciphertextHash: product.description.payload.ciphertextHash,
        sealedKey: toBase64url(
          sealKey(
            (length) => crypto.randomBytes(length),
            fromBase64url(registration.payload.escrowKey),
            product.key,
            row.orderId,
          ),
        ),
      } satisfies PayloadBody<DeliveryEscrowPayload>,
      settings.clock.now_ms(),
    );
    let ack: DeliveryEscrowAck;
    try {
      ack = await callRoute(settings.operatorBaseUrl, DELIVERY_OPERATOR_API.escrow, escrow, {
        transport: settings.operatorTransport,
        timeout_ms: settings.recordCallTimeout_ms,
      });
    } catch (error) {
      settings.logger.warn(`escrowing the key of order ${row.orderId} failed`, error);
      throw new OpentabError(
        'merchant_unreachable',
        'The merchant could not escrow the key with its operator; try again.',
      );
    }
    await this.deps.operatorKeys.learnAbout([ack.kid]);
    if (ack.payload.orderId !== row.orderId || !this.deps.operatorKeys.verifies(ack, settings.clock.now_ms()))
      throw new OpentabError('peer_refused', 'The operator acknowledged another escrow or did not sign it.');
    // Another process may have escrowed the same key for the order at the same time: one ack is kept.
    await deliveries.setEscrowAck(row.orderId, JSON.stringify(ack), settings.clock.now_ms());
  }

  private async k1Of(orderId: string): Promise<K1Registration> {
    const json = await this.deps.deliveries.k1RegistrationJson(orderId);
    if (json === null) throw new OpentabError('k1_missing');
    return JSON.parse(json) as K1Registration;
  }

  private productOf(productId: string): ShelvedProduct {
    const product = this.deps.shelf.product(productId);
    if (product === undefined) throw new OpentabError('unknown_item');
    return product;
  }

  private async orderOfTab(orderId: string, tabId: string): Promise<DeliveryOrderRow> {
    const row = await this.deps.deliveries.order(orderId);
    if (row === null || row.tabId !== tabId) throw new OpentabError('unknown_order');
    return row;
  }

  private async signedByTab(
    message: DeliveryOrder | DeliveryReject | DeliveryAccept,
    tabId: string,
  ): Promise<TabRecord> {
    const tab = await this.deps.store.findTab(tabId);
    if (tab === null) throw new OpentabError('unknown_tab');
    requireSignedBy(
      this.deps.crypto,
      message,
      fromBase64url(tab.tabPublicKey),
      'The message is not signed by the key of this tab.',
    );
    return tab;
  }
}
