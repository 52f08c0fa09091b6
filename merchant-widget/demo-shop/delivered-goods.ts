// What the demo shop sells by secure delivery (seed FIG 4): a wallpaper, an e-book and a large
// photograph, written deterministically into the shop's data directory at start (nothing large is
// kept in the repository) and prepared there ahead of time, encrypted and signed, as a merchant
// would with `npm run merchant -- prepare-products`. A start that finds them prepared with this
// merchant's key reuses them.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { prepareProducts } from '@opentab/merchant-agent';
import { fromBase64url, signerFromSecretKey } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import type { Product } from './content';
import { wallpaperSvg } from './wallpaper';

export const DELIVERY_FOLDER = 'delivered-goods';

/** The large product: an uncompressed 24-bit image, 2400 × 1200 pixels (8.6 MB). */
export const PHOTO = { width: 2400, height: 1200 } as const;

interface DeliveredFile {
  readonly productId: string;
  readonly name: string;
  readonly summary: string;
  readonly file: string;
  readonly mediaType: string;
  readonly price: string;
  /** Writes the file at `path`, the same bytes at every start. */
  readonly write: (path: string) => void;
}

function ebookText(product: Extract<Product, { kind: 'ebook' }>): string {
  const chapters = product.chapters.map((chapter) => `${chapter.title}\n\n${chapter.text}\n`);
  return `${product.title}\n\n${product.blurb}\n\n${chapters.join('\n')}`;
}

/** A BMP written row by row: a dusk sky over water, never one buffer of the whole image. */
function writePhoto(path: string): void {
  const { width, height } = PHOTO;
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + rowBytes * height, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(rowBytes * height, 34);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    const row = Buffer.alloc(rowBytes);
    const horizon = Math.floor(height * 0.4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        // Water below the horizon (BMP rows run bottom-up), with ripples; sky above, warming near it.
        const water = y < horizon;
        const t = water ? y / horizon : (y - horizon) / (height - horizon);
        const ripple = water ? ((x * 7 + y * 13) % 23) - 11 : 0;
        const offset = x * 3;
        row[offset] = clamp(water ? 90 + 60 * t + ripple : 120 - 70 * t); // blue
        row[offset + 1] = clamp(water ? 40 + 30 * t + ripple : 90 - 60 * t + ((x ^ y) & 3)); // green
        row[offset + 2] = clamp(water ? 30 + 90 * t + ripple : 240 - 200 * t); // red
      }
      writeSync(fd, row);
    }
  } finally {
    closeSync(fd);
  }
}

function clamp(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}

/** A further product of a given size (for measuring large deliveries): deterministic bytes, not an asset. */
export interface SizedProduct {
  readonly itemId: string;
  readonly title: string;
  readonly price: string;
  readonly size_bytes: number;
}

/** `size_bytes` of a counter-driven xorshift stream, written a megabyte at a time. */
function writeSized(path: string, size_bytes: number, seed: number): void {
  const fd = openSync(path, 'w');
  try {
    let state = seed | 1;
    const block = Buffer.alloc(1024 * 1024);
    for (let written = 0; written < size_bytes; written += block.length) {
      for (let i = 0; i < block.length; i += 4) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        block.writeInt32LE(state | 0, i);
      }
      writeSync(fd, block, 0, Math.min(block.length, size_bytes - written));
    }
  } finally {
    closeSync(fd);
  }
}

export function deliveredFiles(products: readonly Product[], sized: readonly SizedProduct[] = []): DeliveredFile[] {
  const files: DeliveredFile[] = sized.map((product, index) => ({
    productId: product.itemId,
    name: product.title,
    summary: `${product.size_bytes} bytes of generated data.`,
    file: `${product.itemId}.bin`,
    mediaType: 'application/octet-stream',
    price: product.price,
    write: (path: string) => writeSized(path, product.size_bytes, 0x9e3779b9 + index),
  }));
  for (const product of products) {
    if (product.delivery !== true) continue;
    if (product.kind === 'wallpaper')
      files.push({
        productId: product.itemId,
        name: product.title,
        summary: product.blurb,
        file: `${product.itemId}.svg`,
        mediaType: 'image/svg+xml',
        price: product.price,
        write: (path) => writeFileSync(path, wallpaperSvg(product.title, product.palette)),
      });
    else if (product.kind === 'ebook')
      files.push({
        productId: product.itemId,
        name: product.title,
        summary: product.blurb,
        file: `${product.itemId}.txt`,
        mediaType: 'text/plain',
        price: product.price,
        write: (path) => writeFileSync(path, ebookText(product)),
      });
    else
      files.push({
        productId: product.itemId,
        name: product.title,
        summary: product.blurb,
        file: `${product.itemId}.bmp`,
        mediaType: 'image/bmp',
        price: product.price,
        write: writePhoto,
      });
  }
  return files;
}

/** The prepared product folder for the agent's `delivery.productsDirectory`. */
export async function prepareDeliveredGoods(
  dataDir: string,
  merchant: { readonly merchantId: string; readonly merchantSecretKey: string; readonly currency: string },
  products: readonly Product[],
  sized: readonly SizedProduct[] = [],
): Promise<string> {
  const folder = join(dataDir, DELIVERY_FOLDER);
  mkdirSync(folder, { recursive: true });
  const files = deliveredFiles(products, sized);
  const sources = files.map(({ productId, name, summary, file, mediaType, price }) => ({
    productId,
    name,
    summary,
    file,
    mediaType,
    price: { currency: merchant.currency, value: price },
  }));
  const signer = signerFromSecretKey(nodeCrypto, fromBase64url(merchant.merchantSecretKey));
  const listing = `${JSON.stringify(sources, null, 2)}\n`;
  const listingPath = join(folder, 'products.json');
  const unchanged =
    existsSync(listingPath) &&
    readFileSync(listingPath, 'utf8') === listing &&
    files.every((file) => preparedBy(join(folder, 'prepared', `${file.productId}.json`), signer.kid)) &&
    files.every((file) => existsSync(join(folder, file.file)) && statSync(join(folder, file.file)).size > 0);
  if (unchanged) return folder;
  for (const file of files) file.write(join(folder, file.file));
  writeFileSync(listingPath, listing);
  await prepareProducts(nodeCrypto, folder, { merchantId: merchant.merchantId, signer });
  return folder;
}

function preparedBy(path: string, kid: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { description?: { kid?: string } }).description?.kid === kid;
  } catch {
    return false;
  }
}
