import { describe, expect, it } from 'vitest';
import { nobleCrypto as crypto } from '../crypto/noble';
import { toBase64url } from '../encoding/base64url';
import { seal, signerFromSecretKey, type PayloadBody } from '../envelope';
import type {
  DeliveryAcceptPayload,
  DeliveryOrderPayload,
  DeliveryPackagePayload,
  EvidenceBundle,
  K1RegistrationPayload,
  ProductDescriptionPayload,
} from '../messages/delivery';
import type { MerchantCertificatePayload, OperatorCertificatePayload } from '../messages/certificates';
import { verifyEvidenceBundle } from './evidence';
import { checkCiphertext, checkPackage, descriptionHashOf } from './package-check';

const keyOf = () => signerFromSecretKey(crypto, crypto.ed25519.generateSecretKey());
const ca = keyOf();
const operatorKey = keyOf();
const merchantKey = keyOf();
const tabKey = keyOf();
const tabId = `tab_${'1'.repeat(24)}`;
const x25519 = () => toBase64url(crypto.randomBytes(32));
const price = { currency: 'EUR', value: '2.00' };
const ciphertextHash = toBase64url(crypto.sha256(new Uint8Array([1, 2, 3])));

function describe_(productId: string, overrides: Partial<ProductDescriptionPayload> = {}) {
  return seal(crypto, merchantKey, {
    type: 'product-description',
    merchantId: 'shop',
    productId,
    name: 'The e-book',
    summary: 'A book.',
    fileName: 'book.epub',
    mediaType: 'application/epub+zip',
    size_bytes: 100,
    encryptedSize_bytes: 155,
    chunk_bytes: 65536,
    ciphertextHash,
    price,
    ...overrides,
  } satisfies PayloadBody<ProductDescriptionPayload>);
}

/** A consistent bundle, every message signed by the key that must sign it. */
function goodBundle(): EvidenceBundle {
  const operatorCertificate = seal(crypto, ca, {
    type: 'operator-certificate',
    operatorId: 'op-eu',
    publicKey: operatorKey.kid,
    baseUrl: 'https://op-eu.example',
    currencies: ['EUR'],
    validUntil: '2099-01-01T00:00:00Z',
  } satisfies PayloadBody<OperatorCertificatePayload>);
  const merchantCertificate = seal(crypto, operatorKey, {
    type: 'merchant-certificate',
    operatorId: 'op-eu',
    merchantId: 'shop',
    displayName: 'Shop',
    currency: 'EUR',
    origins: ['https://shop.example'],
    agentUrl: 'https://shop.example/opentab',
    publicKey: merchantKey.kid,
    validUntil: '2099-01-01T00:00:00Z',
  } satisfies PayloadBody<MerchantCertificatePayload>);
  const description = describe_('ebook');
  const descriptionHash = descriptionHashOf(crypto, description);
  const order = seal(crypto, tabKey, {
    type: 'delivery-order',
    tabId,
    productId: 'ebook',
    descriptionHash,
    price,
  } satisfies PayloadBody<DeliveryOrderPayload>);
  const k1Registration = seal(crypto, operatorKey, {
    type: 'k1-registration',
    operatorId: 'op-eu',
    merchantId: 'shop',
    tabId,
    tabPublicKey: tabKey.kid,
    orderId: order.payload.id,
    k1: x25519(),
    escrowKey: x25519(),
  } satisfies PayloadBody<K1RegistrationPayload>);
  const delivered = seal(crypto, merchantKey, {
    type: 'delivery-package',
    merchantId: 'shop',
    tabId,
    orderId: order.payload.id,
    productId: 'ebook',
    descriptionHash,
    ciphertextHash,
    encryptedSize_bytes: 155,
    contentPath: '/delivery/content/ebook',
    attempt: 1,
  } satisfies PayloadBody<DeliveryPackagePayload>);
  const accept = seal(crypto, tabKey, {
    type: 'delivery-accept',
    tabId,
    orderId: order.payload.id,
    packageId: delivered.payload.id,
    ciphertextHash,
    purchase: {
      type: 'purchase',
      id: 'a'.repeat(32),
      tabId,
      seq: 1,
      itemId: 'ebook',
      price,
      chainIndex: 200,
      chainLink: ciphertextHash,
      listKey: ciphertextHash,
    },
  } satisfies PayloadBody<DeliveryAcceptPayload>);
  return {
    type: 'opentab-delivery-evidence',
    operatorCertificate,
    merchantCertificate,
    description,
    order,
    k1Registration,
    package: delivered,
    accept,
  };
}

describe('checkPackage', () => {
  const bundle = goodBundle();
  const expected = {
    description: bundle.description,
    order: bundle.order,
    merchantPublicKey: merchantKey.publicKey,
  };
  const resign = (changes: Partial<DeliveryPackagePayload>, signer = merchantKey) => {
    const { id: _id, iat: _iat, ...body } = bundle.package.payload;
    return seal(crypto, signer, { ...body, ...changes });
  };

  it('passes the merchant-signed package of this order, product, description and ciphertext', () => {
    expect(checkPackage(crypto, expected, bundle.package)).toBeNull();
  });

  it('names each way a package can be wrong', () => {
    expect(checkPackage(crypto, expected, resign({}, keyOf()))).toBe('bad-signature');
    expect(
      checkPackage(crypto, expected, { ...bundle.package, payload: { ...bundle.package.payload, attempt: 2 } }),
    ).toBe('bad-signature');
    expect(checkPackage(crypto, expected, resign({ orderId: 'b'.repeat(32) }))).toBe('wrong-order');
    expect(checkPackage(crypto, expected, resign({ productId: 'wallpaper' }))).toBe('wrong-product');
    const other = descriptionHashOf(crypto, describe_('ebook', { name: 'Another book' }));
    expect(checkPackage(crypto, expected, resign({ descriptionHash: other }))).toBe('wrong-description');
    expect(checkPackage(crypto, expected, resign({ ciphertextHash: other }))).toBe('wrong-ciphertext');
    expect(checkPackage(crypto, expected, resign({ encryptedSize_bytes: 154 }))).toBe('wrong-size');
  });

  it('checks the downloaded ciphertext by its length and hash', () => {
    expect(checkCiphertext(bundle.package, { sha256: ciphertextHash, size_bytes: 155 })).toBeNull();
    expect(checkCiphertext(bundle.package, { sha256: ciphertextHash, size_bytes: 100 })).toBe('wrong-size');
    expect(checkCiphertext(bundle.package, { sha256: toBase64url(new Uint8Array(32)), size_bytes: 155 })).toBe(
      'wrong-ciphertext',
    );
  });
});

describe('verifyEvidenceBundle', () => {
  it('verifies a good bundle from the CA key down', () => {
    const bundle = goodBundle();
    expect(verifyEvidenceBundle(crypto, bundle, ca.kid)).toEqual({
      ok: true,
      orderId: bundle.order.payload.id,
      productId: 'ebook',
      merchantId: 'shop',
    });
  });

  it('refuses a bundle under another CA', () => {
    expect(verifyEvidenceBundle(crypto, goodBundle(), keyOf().kid)).toMatchObject({ ok: false });
  });

  it('refuses a description the customer altered: the merchant never signed it', () => {
    const bundle = goodBundle();
    const forged = {
      ...bundle,
      description: { ...bundle.description, payload: { ...bundle.description.payload, name: 'Gold' } },
    };
    const verdict = verifyEvidenceBundle(crypto, forged, ca.kid);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.problems).toContain('the product description is not signed by the merchant');
  });

  it('refuses another genuine description swapped in: it is not the one the order and package name', () => {
    const bundle = goodBundle();
    const verdict = verifyEvidenceBundle(
      crypto,
      { ...bundle, description: describe_('ebook', { size_bytes: 5 }) },
      ca.kid,
    );
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.problems).toContain('order and package do not name this description');
  });

  it('refuses an accept signed by someone else than the tab', () => {
    const bundle = goodBundle();
    const { id: _id, iat: _iat, ...body } = bundle.accept.payload;
    const verdict = verifyEvidenceBundle(crypto, { ...bundle, accept: seal(crypto, keyOf(), body) }, ca.kid);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.problems).toEqual(['the accept is not signed by the tab key']);
  });
});
