// Preparing products ahead of time (seed FIG 4: "no real-time encryption is needed"): each file of
// a product folder is encrypted under a fresh K2, streamed chunk by chunk from disk to disk while
// its ciphertext is hashed, and its description signed with that hash. A product folder holds
// `products.json` ([{productId, name, summary?, file, mediaType, price}]) and the files it names;
// preparing writes `prepared/<productId>.otd` (the ciphertext, served to anyone: it is useless
// without K2) and `prepared/<productId>.json` (the signed description and K2, readable by the
// merchant alone).

import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { finished } from 'node:stream/promises';
import * as v from 'valibot';
import {
  Amount,
  DEFAULT_PRODUCT_CHUNK_BYTES,
  DeliveryFileName,
  ItemId,
  ItemTitle,
  MediaType,
  PRODUCT_KEY_BYTES,
  ProductDescription,
  ProductEncryptor,
  encryptedProductSize,
  parseMessage,
  seal,
  toBase64url,
  type CryptoProvider,
  type PayloadBody,
  type ProductDescriptionPayload,
  type Signer,
} from '@opentab/protocol';

export const PRODUCTS_FILE = 'products.json';
export const PREPARED_DIRECTORY = 'prepared';

const ProductSource = v.strictObject({
  productId: ItemId,
  name: ItemTitle,
  summary: v.optional(v.pipe(v.string(), v.maxLength(2000)), ''),
  file: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  /** The name the customer's browser saves it under; the source file's name when absent. */
  fileName: v.optional(DeliveryFileName),
  mediaType: MediaType,
  price: Amount,
});
const ProductSources = v.pipe(v.array(ProductSource), v.minLength(1), v.maxLength(1000));
export type ProductSource = v.InferOutput<typeof ProductSource>;

/** What preparation leaves beside the ciphertext: the signed description and K2. */
export const PreparedProduct = v.strictObject({ description: ProductDescription, key: v.string() });
export type PreparedProduct = v.InferOutput<typeof PreparedProduct>;

export class ProductPreparationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProductPreparationError';
  }
}

export function readProductSources(folder: string): ProductSource[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(folder, PRODUCTS_FILE), 'utf8'));
  } catch (error) {
    throw new ProductPreparationError(`cannot read ${join(folder, PRODUCTS_FILE)}: ${(error as Error).message}`);
  }
  const parsed = parseMessage(ProductSources, raw);
  if (!parsed.ok)
    throw new ProductPreparationError(`${PRODUCTS_FILE} is not a product list: ${parsed.error.details.join('; ')}`);
  const ids = new Set<string>();
  for (const source of parsed.value) {
    if (ids.has(source.productId)) throw new ProductPreparationError(`product ${source.productId} is listed twice`);
    ids.add(source.productId);
    if (basename(source.file) !== source.file)
      throw new ProductPreparationError(`product ${source.productId}: file must name a file in the folder itself`);
  }
  return parsed.value;
}

/** Encrypts one file to `cipherPath` as it streams, never holding it whole; returns the ciphertext's hash and size. */
export async function encryptFile(
  crypto: CryptoProvider,
  sourcePath: string,
  cipherPath: string,
  key: Uint8Array,
  chunk_bytes: number = DEFAULT_PRODUCT_CHUNK_BYTES,
): Promise<{ ciphertextHash: string; encryptedSize_bytes: number }> {
  const encryptor = new ProductEncryptor(key, (length) => crypto.randomBytes(length), chunk_bytes);
  const hash = createHash('sha256');
  const partial = `${cipherPath}.partial`;
  const out = createWriteStream(partial, { mode: 0o644 });
  let size = 0;
  const write = async (bytes: Uint8Array) => {
    if (bytes.length === 0) return;
    hash.update(bytes);
    size += bytes.length;
    if (!out.write(bytes)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  for await (const piece of createReadStream(sourcePath, { highWaterMark: chunk_bytes }))
    await write(encryptor.push(piece as Buffer));
  await write(encryptor.finish());
  out.end();
  await finished(out);
  // Only a whole ciphertext takes the product's name: a stop mid-way leaves no half file to serve.
  renameSync(partial, cipherPath);
  return { ciphertextHash: toBase64url(hash.digest()), encryptedSize_bytes: size };
}

/** Prepares every product of `folder`; returns the signed descriptions in the order products.json lists them. */
export async function prepareProducts(
  crypto: CryptoProvider,
  folder: string,
  merchant: { readonly merchantId: string; readonly signer: Signer },
  chunk_bytes: number = DEFAULT_PRODUCT_CHUNK_BYTES,
): Promise<ProductDescription[]> {
  const sources = readProductSources(folder);
  const prepared = join(folder, PREPARED_DIRECTORY);
  mkdirSync(prepared, { recursive: true });
  const descriptions: ProductDescription[] = [];
  for (const source of sources) {
    const sourcePath = join(folder, source.file);
    let size_bytes: number;
    try {
      size_bytes = statSync(sourcePath).size;
    } catch {
      throw new ProductPreparationError(`product ${source.productId}: cannot read ${sourcePath}`);
    }
    const key = crypto.randomBytes(PRODUCT_KEY_BYTES);
    const cipher = await encryptFile(crypto, sourcePath, join(prepared, `${source.productId}.otd`), key, chunk_bytes);
    if (cipher.encryptedSize_bytes !== encryptedProductSize(size_bytes, chunk_bytes))
      throw new ProductPreparationError(`product ${source.productId}: ${sourcePath} changed while it was encrypted`);
    const description = seal(crypto, merchant.signer, {
      type: 'product-description',
      merchantId: merchant.merchantId,
      productId: source.productId,
      name: source.name,
      summary: source.summary,
      fileName: source.fileName ?? source.file,
      mediaType: source.mediaType,
      size_bytes,
      encryptedSize_bytes: cipher.encryptedSize_bytes,
      chunk_bytes,
      ciphertextHash: cipher.ciphertextHash,
      price: source.price,
    } satisfies PayloadBody<ProductDescriptionPayload>);
    const record: PreparedProduct = { description, key: toBase64url(key) };
    writeFileSync(join(prepared, `${source.productId}.json`), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    descriptions.push(description);
  }
  return descriptions;
}
