// The customer agent's side of secure delivery (seed FIG 4, claims 24–27). A page's `deliver`
// finds or opens the tab, reads the merchant-signed description from the certified agent and
// opens the delivery window, which shows it; nothing is signed until the customer orders there.
// Then: the order (tab key), a fresh K1 for this purchase sent through the own operator, whose MTA
// signs it; each package checked (signature, order, product, description, then the downloaded
// ciphertext's hash and size), a failed check answered with a not-accept, after which the
// merchant re-sends by itself up to its bound; the first sound package accepted, the accept
// carrying the tab purchase that alone pays; K2, sealed to K1, opened and handed to the window,
// which decrypts and saves the file. The page's call is answered once the file is saved (or the
// merchant aborted, or the customer declined).

import {
  checkCiphertext,
  checkPackage,
  descriptionHashOf,
  fromBase64url,
  newMessageId,
  openSealedKey,
  parsedAmount,
  seal,
  toBase64url,
  verifyEnvelope,
  verifyEvidenceBundle,
  x25519KeyPair,
  x25519PublicKeyOf,
  type BridgeParams,
  type BridgeResult,
  type CryptoProvider,
  type DeliveryAcceptPayload,
  type DeliveryKey,
  type DeliveryOrderPayload,
  type DeliveryRejectPayload,
  type DeliveryState,
  type EvidenceBundle,
  type K1Registration,
  type K1RequestPayload,
  type MerchantCertificatePayload,
  type PackageProblem,
  type PayloadBody,
  type ProductDescription,
} from '@opentab/protocol';
import type { DeliveryStep, DeliveryView, Redownload } from '../../messaging/delivery-calls';
import type { SignedProductSummary } from '../../messaging/views';
import { AgentError, declinedByCustomer } from '../errors';
import type { Vault } from '../keys/vault';
import { openSecret, sealSecret } from '../keys/secret-box';
import type { Clock, WindowPort } from '../ports';
import type { AgentDatabase } from '../storage/database';
import type { TabBook } from '../tabs/tab-book';
import type { TabKeyring } from '../tabs/tab-keyring';
import { merchantOperatorKeyOf, type OpenTab } from '../tabs/tab-record';
import type { PageCaller, TabService } from '../tabs/tab-service';
import { deliveryView, k1Context, type StoredDelivery } from './delivery-record';
import type { DeliveryRemote } from './delivery-remote';
import type { DeliveryStore } from './delivery-store';

/** How long a delivered product stays downloadable, and its evidence kept, when its receipt names no entitlement. */
export const DEFAULT_ACCESS_MS = 30 * 86_400_000;
export const DELIVERY_PAGE = 'delivery/delivery.html';

type Outcome = BridgeResult<'deliver'>;

interface Waiter {
  resolve(outcome: Outcome): void;
  reject(error: unknown): void;
}

export interface DeliveryServiceParts {
  readonly store: DeliveryStore;
  readonly remote: DeliveryRemote;
  readonly tabs: TabService;
  readonly book: TabBook;
  readonly keyring: TabKeyring;
  readonly vault: Vault;
  readonly db: AgentDatabase;
  readonly windows: WindowPort;
  readonly crypto: CryptoProvider;
  readonly clock: Clock;
}

export class DeliveryService {
  /** The page calls waiting for their delivery's end, by delivery (worker memory: a new worker has none). */
  private readonly waiting = new Map<string, Waiter>();
  /** The delivery window of each delivery a page asked for. */
  private readonly windowsOpen = new Map<number, string>();

  constructor(private readonly parts: DeliveryServiceParts) {}

  /** The page's `deliver`: answered when the file is saved, the merchant aborts, or the customer declines. */
  async deliver(caller: PageCaller, params: BridgeParams<'deliver'>): Promise<Outcome> {
    const { tabs, store, clock } = this.parts;
    const merchant = { merchantId: params.merchantId, operatorId: params.operatorId };
    const held = await this.heldDelivery(merchant.merchantId, merchant.operatorId, params.itemId, caller.origin);
    if (held) {
      // Bought already and within its access period: its page downloads it again; nothing is charged.
      await this.parts.windows.openPopup(`${DELIVERY_PAGE}?delivery=${held.localId}`);
      return { kind: 'delivered', receipt: held.key!.payload.receipt, fileName: held.description.payload.fileName };
    }
    const price = parsedAmount(params.price);
    // A new tab's confirmation shows the signed description too, read from the verified merchant's agent.
    const describe = async (certificate: MerchantCertificatePayload) =>
      summaryOf(await this.signedDescription(certificate, params.itemId));
    const tab = await tabs.tabForDelivery(caller, { ...merchant, itemId: params.itemId, price }, describe);
    const certificate = tab.merchantCertificate.payload;
    const description = await this.signedDescription(certificate, params.itemId);
    if (
      description.payload.price.value !== params.price.value ||
      description.payload.price.currency !== params.price.currency
    )
      throw new AgentError(
        'merchant_refused',
        'The price on the page is not the one the shop signed for this product.',
      );
    const record: StoredDelivery = {
      localId: newMessageId(this.parts.crypto),
      status: 'offered',
      merchant,
      merchantDisplayName: tab.merchantDisplayName,
      tabLocalId: tab.localId,
      tabId: tab.tabId,
      agentUrl: certificate.agentUrl,
      merchantCertificate: tab.merchantCertificate,
      operatorCertificate: tab.merchantOperatorCertificate ?? null,
      description,
      order: null,
      k1: null,
      registration: null,
      package: null,
      rejected: [],
      accept: null,
      key: null,
      createdAt_ms: clock.now_ms(),
      accessUntil_ms: null,
      failure: null,
    };
    await store.put(record);
    const outcome = new Promise<Outcome>((resolve, reject) => this.waiting.set(record.localId, { resolve, reject }));
    const windowId = await this.parts.windows.openPopup(`${DELIVERY_PAGE}?delivery=${record.localId}`);
    if (windowId !== null) this.windowsOpen.set(windowId, record.localId);
    return outcome;
  }

  /** The delivery window closed: a delivery not ordered yet is declined; one under way goes on being answered. */
  async windowClosed(windowId: number): Promise<void> {
    const localId = this.windowsOpen.get(windowId);
    if (localId === undefined) return;
    this.windowsOpen.delete(windowId);
    const record = await this.parts.store.get(localId);
    if (record?.status === 'offered') await this.decline(localId);
    else if (record && record.status !== 'delivered') {
      this.settle(localId, (waiter) => waiter.reject(new AgentError('internal', 'The delivery window was closed.')));
    }
  }

  async view(localId: string): Promise<DeliveryView> {
    return deliveryView(await this.record(localId));
  }

  async list(): Promise<DeliveryView[]> {
    const now_ms = this.parts.clock.now_ms();
    const records = await this.parts.store.all();
    // The evidence is kept for the access period; past it the record goes.
    for (const expired of records.filter((record) => record.accessUntil_ms !== null && record.accessUntil_ms < now_ms))
      await this.parts.store.delete(expired.localId);
    return records
      .filter((record) => record.accessUntil_ms === null || record.accessUntil_ms >= now_ms)
      .filter((record) => record.status !== 'offered' && record.status !== 'declined')
      .sort((a, b) => b.createdAt_ms - a.createdAt_ms)
      .map(deliveryView);
  }

  async decline(localId: string): Promise<DeliveryView> {
    const record = await this.record(localId);
    if (record.status !== 'offered') return deliveryView(record);
    const declined = await this.save({ ...record, status: 'declined' });
    this.settle(localId, (waiter) => waiter.reject(declinedByCustomer()));
    return deliveryView(declined);
  }

  /** The customer orders what the window shows: order and K1 go out, and the first sound package is to be downloaded. */
  async order(localId: string): Promise<DeliveryStep> {
    let record = await this.record(localId);
    if (record.status !== 'offered' && record.status !== 'ordered')
      throw new AgentError('invalid_request', 'This delivery is not waiting for an order.');
    const tab = await this.openTab(record);
    const { tabSigner } = await this.parts.keyring.secretsOf(tab);
    const now_ms = this.parts.clock.now_ms();
    if (record.order === null || record.k1 === null) {
      const k1 = x25519KeyPair((length) => this.parts.crypto.randomBytes(length));
      const order = seal(
        this.parts.crypto,
        tabSigner,
        {
          type: 'delivery-order',
          tabId: record.tabId,
          productId: record.description.payload.productId,
          descriptionHash: descriptionHashOf(this.parts.crypto, record.description),
          price: record.description.payload.price,
        } satisfies PayloadBody<DeliveryOrderPayload>,
        now_ms,
      );
      const sealingKey = await this.parts.vault.tabSecretsKey();
      record = await this.save({
        ...record,
        status: 'ordered',
        order,
        k1: sealSecret(sealingKey, k1.secretKey, k1Context(localId)),
      });
    }
    const order = record.order!;
    let state = await this.parts.remote.order(record.agentUrl, order);
    if (state.status === 'awaiting-k1') {
      if (record.registration === null) record = await this.registerK1(record, tab);
      state = await this.parts.remote.order(record.agentUrl, order);
    }
    return this.nextStep(record, state);
  }

  /** The page downloaded the package's ciphertext: accept it if it is the one signed, else not-accept it. */
  async checkDownload(localId: string, downloaded: { packageId: string; sha256: string; size_bytes: number }) {
    const record = await this.record(localId);
    if (record.status === 'accepted' || record.status === 'delivered') return this.keyStep(record);
    const delivered = record.package;
    if (record.status !== 'ordered' || delivered === null || delivered.payload.id !== downloaded.packageId)
      throw new AgentError('invalid_request', 'This is not the package the merchant sent last.');
    const problem = checkCiphertext(delivered, downloaded);
    if (problem !== null) return this.refuse(record, problem);
    return this.accept(record);
  }

  /** The window saved the decrypted file: the page that asked hears that it was delivered. */
  async saved(localId: string): Promise<DeliveryView> {
    const record = await this.record(localId);
    if (record.key === null) throw new AgentError('invalid_request', 'This delivery has no key yet.');
    const saved = await this.save({ ...record, status: 'delivered', failure: null });
    const key = record.key;
    this.settle(localId, (waiter) =>
      waiter.resolve({
        kind: 'delivered',
        receipt: key.payload.receipt,
        fileName: record.description.payload.fileName,
      }),
    );
    return deliveryView(saved);
  }

  /** After the accept the file could not be decrypted (the key does not open it): kept with its evidence for an arbiter. */
  async failed(localId: string, message: string): Promise<DeliveryView> {
    const record = await this.record(localId);
    if (record.key === null) throw new AgentError('invalid_request', 'This delivery has no key yet.');
    const failed = await this.save({ ...record, status: 'failed', failure: message });
    this.settle(localId, (waiter) =>
      waiter.reject(new AgentError('merchant_refused', `The product could not be decrypted: ${message}`)),
    );
    return deliveryView(failed);
  }

  /** The key and where the ciphertext is, to download the product again within its access period. */
  async redownload(localId: string): Promise<Redownload> {
    const record = await this.record(localId);
    if (record.key === null || record.package === null)
      throw new AgentError('invalid_request', 'This product was not delivered.');
    if (record.accessUntil_ms !== null && this.parts.clock.now_ms() > record.accessUntil_ms)
      throw new AgentError('invalid_request', 'The access period of this product is over.');
    return {
      url: `${record.agentUrl}${record.package.payload.contentPath}`,
      ciphertextHash: record.package.payload.ciphertextHash,
      encryptedSize_bytes: record.package.payload.encryptedSize_bytes,
      key: toBase64url(await this.productKey(record, record.key)),
    };
  }

  /** The evidence bundle an arbiter verifies offline, checked here first from the CA this wallet trusts. */
  async evidence(localId: string): Promise<{ fileName: string; json: string }> {
    const record = await this.record(localId);
    const { order, registration, package: delivered, accept, operatorCertificate } = record;
    if (
      order === null ||
      registration === null ||
      delivered === null ||
      accept === null ||
      operatorCertificate === null
    )
      throw new AgentError('invalid_request', 'There is no accepted delivery to show an arbiter yet.');
    const bundle: EvidenceBundle = {
      type: 'opentab-delivery-evidence',
      operatorCertificate,
      merchantCertificate: record.merchantCertificate,
      description: record.description,
      order,
      k1Registration: registration,
      package: delivered,
      accept,
    };
    const enrolment = await this.parts.db.meta.get('enrolment');
    if (enrolment) {
      const verdict = verifyEvidenceBundle(this.parts.crypto, bundle, enrolment.operatorCertificate.kid);
      if (!verdict.ok)
        throw new AgentError('internal', `The evidence does not verify: ${verdict.problems.join('; ')}.`);
    }
    return { fileName: `opentab-evidence-${order.payload.id}.json`, json: `${JSON.stringify(bundle, null, 2)}\n` };
  }

  /** A delivered entitlement of this merchant, still within its access period, on an origin its certificate lists. */
  private async heldDelivery(
    merchantId: string,
    operatorId: string,
    productId: string,
    origin: string,
  ): Promise<StoredDelivery | undefined> {
    const now_ms = this.parts.clock.now_ms();
    return (await this.parts.store.all()).find(
      (record) =>
        record.status === 'delivered' &&
        // A consumable (its receipt names no entitlement) is bought again by each click.
        record.key?.payload.receipt.payload.entitledUntil !== undefined &&
        record.merchant.merchantId === merchantId &&
        record.merchant.operatorId === operatorId &&
        record.description.payload.productId === productId &&
        record.merchantCertificate.payload.origins.includes(origin) &&
        (record.accessUntil_ms === null || record.accessUntil_ms > now_ms),
    );
  }

  private async registerK1(record: StoredDelivery, tab: OpenTab): Promise<StoredDelivery> {
    const { crypto, vault, keyring, remote, db, clock } = this.parts;
    const enrolment = await db.meta.get('enrolment');
    if (!enrolment) throw new AgentError('wallet_not_enrolled', 'This wallet is not enrolled with an operator.');
    const k1Public = x25519PublicKeyOf(await this.k1Secret(record, vault));
    const { tabSigner } = await keyring.secretsOf(tab);
    const request = seal(
      crypto,
      tabSigner,
      {
        type: 'k1-request',
        transactionId: tab.transactionId,
        tabId: tab.tabId,
        orderId: record.order!.payload.id,
        k1: toBase64url(k1Public),
      } satisfies PayloadBody<K1RequestPayload>,
      clock.now_ms(),
    );
    const registration = await remote.k1(enrolment.baseUrl, request);
    const problem = this.registrationProblem(registration, record, tab, tabSigner.kid, toBase64url(k1Public));
    if (problem !== null) throw new AgentError('operator_unreachable', `The operator's K1 registration ${problem}.`);
    return this.save({ ...record, registration });
  }

  private registrationProblem(
    registration: K1Registration,
    record: StoredDelivery,
    tab: OpenTab,
    tabKey: string,
    k1: string,
  ): string | null {
    const p = registration.payload;
    if (!verifyEnvelope(this.parts.crypto, registration, fromBase64url(merchantOperatorKeyOf(tab))))
      return "is not signed by the merchant's operator";
    if (p.orderId !== record.order!.payload.id || p.tabId !== tab.tabId || p.merchantId !== record.merchant.merchantId)
      return 'is about another order';
    if (p.k1 !== k1 || p.tabPublicKey !== tabKey) return 'names another key';
    return null;
  }

  /** Where the merchant's answer leads: a package to download, a re-send after a package that fails its check, or the end. */
  private async nextStep(initial: StoredDelivery, initialState: DeliveryState): Promise<DeliveryStep> {
    let record = initial;
    let state = initialState;
    // Each not-accept costs the merchant an attempt; its bound ends this loop with `aborted`.
    for (;;) {
      if (state.status === 'aborted') return this.aborted(record);
      if (state.status === 'awaiting-k1')
        throw new AgentError(
          'merchant_unreachable',
          'The shop has not received the key for this order yet; try again.',
        );
      const delivered = state.package;
      const problem = checkPackage(
        this.parts.crypto,
        {
          description: record.description,
          order: record.order!,
          merchantPublicKey: fromBase64url(record.merchantCertificate.payload.publicKey),
        },
        delivered,
      );
      if (problem === null) {
        await this.save({ ...record, package: delivered });
        return {
          kind: 'download',
          url: `${record.agentUrl}${delivered.payload.contentPath}`,
          packageId: delivered.payload.id,
          encryptedSize_bytes: delivered.payload.encryptedSize_bytes,
          attempt: delivered.payload.attempt,
        };
      }
      ({ record, state } = await this.sendReject(record, delivered.payload.id, problem));
    }
  }

  private async refuse(record: StoredDelivery, problem: PackageProblem): Promise<DeliveryStep> {
    const sent = await this.sendReject(record, record.package!.payload.id, problem);
    return this.nextStep(sent.record, sent.state);
  }

  /** The not-accept (tab key) of a package, naming its problem; the merchant answers with its re-send or its abort. */
  private async sendReject(record: StoredDelivery, packageId: string, problem: PackageProblem) {
    const tab = await this.openTab(record);
    const { tabSigner } = await this.parts.keyring.secretsOf(tab);
    const reject = seal(
      this.parts.crypto,
      tabSigner,
      {
        type: 'delivery-reject',
        tabId: record.tabId,
        orderId: record.order!.payload.id,
        packageId,
        problem,
      } satisfies PayloadBody<DeliveryRejectPayload>,
      this.parts.clock.now_ms(),
    );
    const saved = await this.save({ ...record, rejected: [...record.rejected, problem] });
    const state = await this.parts.remote.reject(record.agentUrl, reject);
    return { record: saved, state };
  }

  /** sign(accept, unique)^C with the purchase that pays; answered with K2 sealed to K1 and the purchase's receipt. */
  private async accept(initial: StoredDelivery): Promise<DeliveryStep> {
    const { tabs, remote, crypto, clock, keyring } = this.parts;
    let record = initial;
    const description = record.description.payload;
    let key: DeliveryKey;
    if (record.accept !== null) {
      // Sent before without an answer: the same accept again (the merchant answers a replay from its record).
      const accept = record.accept;
      key = await remote.accept(record.agentUrl, accept).catch(() => {
        throw new AgentError('merchant_unreachable', 'The shop has not answered the accept yet; try again.');
      });
      this.checkKey(record, key, accept.payload.id);
      await tabs.settleCarried(record.tabLocalId, accept.payload.purchase, key.payload.receipt);
    } else {
      const tab = await this.openTab(record);
      const { tabSigner } = await keyring.secretsOf(tab);
      let answered: DeliveryKey | null = null;
      await tabs.payCarried(
        record.tabLocalId,
        description.productId,
        parsedAmount(description.price),
        async (purchase) => {
          const accept = seal(
            crypto,
            tabSigner,
            {
              type: 'delivery-accept',
              tabId: record.tabId,
              orderId: record.order!.payload.id,
              packageId: record.package!.payload.id,
              ciphertextHash: description.ciphertextHash,
              purchase,
            } satisfies PayloadBody<DeliveryAcceptPayload>,
            clock.now_ms(),
          );
          record = await this.save({ ...record, accept });
          answered = await remote.accept(record.agentUrl, accept);
          this.checkKey(record, answered, accept.payload.id);
          return answered.payload.receipt;
        },
      );
      key = answered!;
    }
    const entitledUntil = key.payload.receipt.payload.entitledUntil;
    record = await this.save({
      ...record,
      status: 'accepted',
      key,
      accessUntil_ms: entitledUntil ? Date.parse(entitledUntil) : clock.now_ms() + DEFAULT_ACCESS_MS,
    });
    return this.keyStep(record);
  }

  private checkKey(record: StoredDelivery, key: DeliveryKey, acceptId: string): void {
    const merchantKey = fromBase64url(record.merchantCertificate.payload.publicKey);
    if (
      !verifyEnvelope(this.parts.crypto, key, merchantKey) ||
      key.payload.orderId !== record.order!.payload.id ||
      key.payload.acceptId !== acceptId
    )
      throw new AgentError('merchant_refused', "The shop's key message is not the answer to this accept.");
  }

  private async keyStep(record: StoredDelivery): Promise<DeliveryStep> {
    return { kind: 'key', key: toBase64url(await this.productKey(record, record.key!)) };
  }

  /** K2, opened with K1 (claim 26). */
  private async productKey(record: StoredDelivery, key: DeliveryKey): Promise<Uint8Array> {
    const k1Secret = await this.k1Secret(record, this.parts.vault);
    try {
      return openSealedKey(k1Secret, fromBase64url(key.payload.sealedKey), record.order!.payload.id);
    } catch {
      throw new AgentError('merchant_refused', 'The key the shop sent does not open with this order’s K1.');
    }
  }

  private async k1Secret(record: StoredDelivery, vault: Vault): Promise<Uint8Array> {
    if (record.k1 === null) throw new AgentError('invalid_request', 'This delivery has no K1.');
    return openSecret(await vault.tabSecretsKey(), record.k1, k1Context(record.localId));
  }

  private async aborted(record: StoredDelivery): Promise<DeliveryStep> {
    await this.save({ ...record, status: 'aborted' });
    this.settle(record.localId, (waiter) =>
      waiter.resolve({ kind: 'aborted', itemId: record.description.payload.productId }),
    );
    return { kind: 'aborted' };
  }

  /** The product's description from the certified agent, signed by the merchant key its certificate names. */
  private async signedDescription(
    certificate: MerchantCertificatePayload,
    productId: string,
  ): Promise<ProductDescription> {
    const description = (await this.parts.remote.products(certificate.agentUrl)).find(
      (product) => product.payload.productId === productId,
    );
    if (!description) throw new AgentError('merchant_refused', 'The shop does not deliver this product.');
    if (!verifyEnvelope(this.parts.crypto, description, fromBase64url(certificate.publicKey)))
      throw new AgentError('merchant_refused', "The shop's product description is not signed by the shop.");
    if (description.payload.merchantId !== certificate.merchantId)
      throw new AgentError('merchant_refused', "The shop's product description names another merchant.");
    return description;
  }

  private async openTab(record: StoredDelivery): Promise<OpenTab> {
    const tab = await this.parts.book.get(record.tabLocalId);
    if (tab?.phase !== 'open')
      throw new AgentError('merchant_refused', 'The tab this product was ordered on is closed.');
    return tab;
  }

  private async record(localId: string): Promise<StoredDelivery> {
    const record = await this.parts.store.get(localId);
    if (!record) throw new AgentError('not_found', 'There is no such delivery.');
    return record;
  }

  private async save(record: StoredDelivery): Promise<StoredDelivery> {
    await this.parts.store.put(record);
    return record;
  }

  private settle(localId: string, settle: (waiter: Waiter) => void): void {
    const waiter = this.waiting.get(localId);
    if (!waiter) return;
    this.waiting.delete(localId);
    settle(waiter);
  }
}

function summaryOf(description: ProductDescription): SignedProductSummary {
  const { name, summary, fileName, mediaType, size_bytes } = description.payload;
  return { name, summary, fileName, mediaType, size_bytes };
}
