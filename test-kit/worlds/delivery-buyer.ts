// The customer agent's side of secure delivery in Node, for tests: the steps the extension takes
// (read the signed description, sign the order, send a fresh K1 through its AM, check the package,
// stream and hash the ciphertext, accept or not-accept, open K2 with K1, stream-decrypt), each
// callable on its own so that a test can stop or tamper between them.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  callRoute,
  checkCiphertext,
  checkPackage,
  DELIVERY_AGENT_API,
  DELIVERY_OPERATOR_API,
  descriptionHashOf,
  fromBase64url,
  OPERATOR_API,
  openSealedKey,
  ProductDecryptor,
  seal,
  toBase64url,
  x25519KeyPair,
  type DeliveryAcceptPayload,
  type DeliveryKey,
  type DeliveryOrder,
  type DeliveryOrderPayload,
  type DeliveryPackage,
  type DeliveryRejectPayload,
  type DeliveryState,
  type EvidenceBundle,
  type HttpTransport,
  type K1Registration,
  type K1RequestPayload,
  type PackageProblem,
  type PayloadBody,
  type ProductDescription,
  type Purchase,
  type X25519KeyPair,
} from '@opentab/protocol';
import { nodeCrypto, nodeHttpTransport } from '@opentab/server-kit';
import type { TestTab } from './test-customer';

export interface DeliveryOrderInProgress {
  readonly description: ProductDescription;
  readonly order: DeliveryOrder;
  readonly k1: X25519KeyPair;
  registration: K1Registration | null;
}

export type DeliveryOutcome =
  | {
      readonly outcome: 'delivered';
      readonly plainPath: string;
      /** The ciphertext as downloaded: what a customer hands an arbiter beside the bundle. */
      readonly cipherPath: string;
      readonly key: DeliveryKey;
      readonly bundle: EvidenceBundle;
      readonly rejected: readonly PackageProblem[];
    }
  | { readonly outcome: 'aborted'; readonly rejected: readonly PackageProblem[] };

export class DeliveryBuyer {
  private readonly call: { readonly transport: HttpTransport };

  constructor(
    private readonly tab: TestTab,
    private readonly places: {
      /** The customer's own operator (its AM relays K1). */
      readonly customerOperatorUrl: string;
      /** The merchant's operator: its CA-signed certificate goes into the evidence bundle. */
      readonly merchantOperatorUrl: string;
      readonly agentUrl: string;
      /** Where downloads and decrypted files go. */
      readonly dir: string;
    },
    private readonly now_ms: () => number = Date.now,
    transport: HttpTransport = nodeHttpTransport,
  ) {
    this.call = { transport };
  }

  private get merchantPublicKey(): Uint8Array {
    return fromBase64url(this.tab.opened.payload.merchantCertificate.payload.publicKey);
  }

  async description(productId: string): Promise<ProductDescription> {
    const { products } = await callRoute(this.places.agentUrl, DELIVERY_AGENT_API.products, undefined, this.call);
    const found = products.find((product) => product.payload.productId === productId);
    if (found === undefined) throw new Error(`the merchant delivers no ${productId}`);
    return found;
  }

  /** sign(order)^C for the description read, with a fresh K1 for this purchase. */
  order(description: ProductDescription): DeliveryOrderInProgress {
    const order = seal(
      nodeCrypto,
      this.tab.tabSigner,
      {
        type: 'delivery-order',
        tabId: this.tab.tabId,
        productId: description.payload.productId,
        descriptionHash: descriptionHashOf(nodeCrypto, description),
        price: description.payload.price,
      } satisfies PayloadBody<DeliveryOrderPayload>,
      this.now_ms(),
    );
    return { description, order, k1: x25519KeyPair((length) => nodeCrypto.randomBytes(length)), registration: null };
  }

  sendOrder(progress: DeliveryOrderInProgress): Promise<DeliveryState> {
    return callRoute(this.places.agentUrl, DELIVERY_AGENT_API.order, progress.order, this.call);
  }

  /** K1 to the customer's AM, signed by the tab key; answered with the MTA's signed registration. */
  async sendK1(progress: DeliveryOrderInProgress): Promise<K1Registration> {
    const request = seal(
      nodeCrypto,
      this.tab.tabSigner,
      {
        type: 'k1-request',
        transactionId: this.tab.transactionId,
        tabId: this.tab.tabId,
        orderId: progress.order.payload.id,
        k1: toBase64url(progress.k1.publicKey),
      } satisfies PayloadBody<K1RequestPayload>,
      this.now_ms(),
    );
    progress.registration = await callRoute(
      this.places.customerOperatorUrl,
      DELIVERY_OPERATOR_API.k1,
      request,
      this.call,
    );
    return progress.registration;
  }

  checkPackage(progress: DeliveryOrderInProgress, delivered: DeliveryPackage): PackageProblem | null {
    return checkPackage(
      nodeCrypto,
      { description: progress.description, order: progress.order, merchantPublicKey: this.merchantPublicKey },
      delivered,
    );
  }

  /** Streams the ciphertext to a file, hashing it on the way; never holds it whole. */
  async download(delivered: DeliveryPackage): Promise<{ path: string; sha256: string; size_bytes: number }> {
    const response = await fetch(`${this.places.agentUrl}${delivered.payload.contentPath}`);
    if (!response.ok || response.body === null) throw new Error(`download failed: ${response.status}`);
    const path = `${this.places.dir}/${delivered.payload.orderId}-${delivered.payload.attempt}.otd`;
    const out = createWriteStream(path);
    const hash = createHash('sha256');
    let size = 0;
    for await (const piece of Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0])) {
      hash.update(piece);
      size += piece.length;
      if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
    out.end();
    await finished(out);
    return { path, sha256: toBase64url(hash.digest()), size_bytes: size };
  }

  reject(
    progress: DeliveryOrderInProgress,
    delivered: DeliveryPackage,
    problem: PackageProblem,
  ): Promise<DeliveryState> {
    const reject = this.rejectMessage(progress, delivered, problem);
    return callRoute(this.places.agentUrl, DELIVERY_AGENT_API.reject, reject, this.call);
  }

  /** The not-accept of a package, signed by the tab key. */
  rejectMessage(progress: DeliveryOrderInProgress, delivered: DeliveryPackage, problem: PackageProblem) {
    return seal(
      nodeCrypto,
      this.tab.tabSigner,
      {
        type: 'delivery-reject',
        tabId: this.tab.tabId,
        orderId: progress.order.payload.id,
        packageId: delivered.payload.id,
        problem,
      } satisfies PayloadBody<DeliveryRejectPayload>,
      this.now_ms(),
    );
  }

  /** sign(accept, unique)^C, carrying the tab purchase that pays for the product. */
  accept(progress: DeliveryOrderInProgress, delivered: DeliveryPackage, purchase?: Purchase) {
    const description = progress.description.payload;
    return seal(
      nodeCrypto,
      this.tab.tabSigner,
      {
        type: 'delivery-accept',
        tabId: this.tab.tabId,
        orderId: progress.order.payload.id,
        packageId: delivered.payload.id,
        ciphertextHash: description.ciphertextHash,
        purchase: purchase ?? this.tab.nextPurchase(description.productId, description.price),
      } satisfies PayloadBody<DeliveryAcceptPayload>,
      this.now_ms(),
    );
  }

  async sendAccept(accept: ReturnType<DeliveryBuyer['accept']>): Promise<DeliveryKey> {
    const key = await callRoute(this.places.agentUrl, DELIVERY_AGENT_API.accept, accept, this.call);
    this.tab.accepted(accept.payload.purchase);
    return key;
  }

  /** K2, opened with K1; null when the merchant's key message does not open or is not the merchant's. */
  openKey(progress: DeliveryOrderInProgress, key: DeliveryKey): Uint8Array {
    return openSealedKey(progress.k1.secretKey, fromBase64url(key.payload.sealedKey), progress.order.payload.id);
  }

  /** Streams the ciphertext file through the decryptor into `plainPath`; throws on any altered or missing byte. */
  async decrypt(cipherPath: string, key: Uint8Array, plainPath: string): Promise<void> {
    const decryptor = new ProductDecryptor(key);
    const out = createWriteStream(plainPath);
    for await (const piece of createReadStream(cipherPath, { highWaterMark: 64 * 1024 })) {
      const plain = decryptor.push(piece as Buffer);
      if (plain.length > 0 && !out.write(plain)) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
    out.write(decryptor.finish());
    out.end();
    await finished(out);
  }

  async evidence(
    progress: DeliveryOrderInProgress,
    delivered: DeliveryPackage,
    accept: ReturnType<DeliveryBuyer['accept']>,
  ): Promise<EvidenceBundle> {
    const { certificate } = await callRoute(
      this.places.merchantOperatorUrl,
      OPERATOR_API.operatorInfo,
      undefined,
      this.call,
    );
    if (progress.registration === null) throw new Error('K1 was never registered');
    return {
      type: 'opentab-delivery-evidence',
      operatorCertificate: certificate,
      merchantCertificate: this.tab.opened.payload.merchantCertificate,
      description: progress.description,
      order: progress.order,
      k1Registration: progress.registration,
      package: delivered,
      accept,
    };
  }

  /**
   * The whole flow as the extension runs it: order and K1, then check every package (a failed
   * check is answered with a not-accept, and the merchant's re-send is checked again) until one
   * passes (accept, open K2, decrypt) or the merchant aborts.
   */
  async buy(productId: string): Promise<DeliveryOutcome> {
    const progress = this.order(await this.description(productId));
    await this.sendOrder(progress);
    await this.sendK1(progress);
    let state = await this.sendOrder(progress);
    const rejected: PackageProblem[] = [];
    while (state.status === 'package') {
      const delivered = state.package;
      let problem = this.checkPackage(progress, delivered);
      const downloaded = problem === null ? await this.download(delivered) : null;
      if (downloaded !== null) problem = checkCiphertext(delivered, downloaded);
      if (problem === null && downloaded !== null) {
        const accept = this.accept(progress, delivered);
        const key = await this.sendAccept(accept);
        const plainPath = `${this.places.dir}/${progress.order.payload.id}-${progress.description.payload.fileName}`;
        await this.decrypt(downloaded.path, this.openKey(progress, key), plainPath);
        return {
          outcome: 'delivered',
          plainPath,
          cipherPath: downloaded.path,
          key,
          bundle: await this.evidence(progress, delivered, accept),
          rejected,
        };
      }
      rejected.push(problem!);
      state = await this.reject(progress, delivered, problem!);
    }
    if (state.status === 'aborted') return { outcome: 'aborted', rejected };
    throw new Error(`the merchant left the order ${state.status}`);
  }
}
