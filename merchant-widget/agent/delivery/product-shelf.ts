// The prepared products an agent delivers, read once at start: each description must be signed by
// this merchant's key, name an item of its catalogue at the catalogue's price, and its ciphertext
// file must have the size it states. A product that fails is a configuration error, not a sale.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  descriptionHashOf,
  fromBase64urlOfLength,
  moneyFromWire,
  parseMessage,
  PRODUCT_KEY_BYTES,
  verifyEnvelope,
  type CryptoProvider,
  type ProductDescription,
} from '@opentab/protocol';
import type { Catalogue } from '../catalogue';
import { PREPARED_DIRECTORY, PreparedProduct, readProductSources } from './product-preparation';

export interface ShelvedProduct {
  readonly description: ProductDescription;
  readonly descriptionHash: string;
  /** K2: never leaves the agent but sealed (to a customer's K1, to the MTA's escrow key). */
  readonly key: Uint8Array;
  readonly cipherPath: string;
}

export class ProductShelf {
  private constructor(private readonly products: ReadonlyMap<string, ShelvedProduct>) {}

  static load(
    crypto: CryptoProvider,
    folder: string,
    merchant: {
      readonly merchantId: string;
      readonly publicKey: Uint8Array;
      readonly catalogue: Pick<Catalogue, 'item'>;
    },
  ): ProductShelf {
    const problems: string[] = [];
    const products = new Map<string, ShelvedProduct>();
    for (const source of readProductSources(folder)) {
      const id = source.productId;
      const recordPath = join(folder, PREPARED_DIRECTORY, `${id}.json`);
      const cipherPath = join(folder, PREPARED_DIRECTORY, `${id}.otd`);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(recordPath, 'utf8'));
      } catch {
        problems.push(`product ${id} is not prepared (no ${recordPath}): run prepare-products`);
        continue;
      }
      const parsed = parseMessage(PreparedProduct, raw);
      if (!parsed.ok) {
        problems.push(`${recordPath} is not a prepared product`);
        continue;
      }
      const { description } = parsed.value;
      const p = description.payload;
      const item = merchant.catalogue.item(id);
      if (!verifyEnvelope(crypto, description, merchant.publicKey) || p.merchantId !== merchant.merchantId)
        problems.push(`product ${id} was prepared with another merchant key or id: prepare it again`);
      else if (p.productId !== id) problems.push(`${recordPath} describes ${p.productId}, not ${id}`);
      else if (item === undefined) problems.push(`product ${id} is not an item of the catalogue`);
      else if (moneyFromWire(p.price).minor !== item.price.minor || p.price.currency !== item.price.currency)
        problems.push(`product ${id} was prepared at ${p.price.value}, the catalogue sells it at another price`);
      else if (fileSize(cipherPath) !== p.encryptedSize_bytes)
        problems.push(`the ciphertext ${cipherPath} is missing or not the size its description states`);
      else
        products.set(id, {
          description,
          descriptionHash: descriptionHashOf(crypto, description),
          key: fromBase64urlOfLength(parsed.value.key, PRODUCT_KEY_BYTES),
          cipherPath,
        });
    }
    if (problems.length > 0) throw new ProductShelfError(problems);
    return new ProductShelf(products);
  }

  product(productId: string): ShelvedProduct | undefined {
    return this.products.get(productId);
  }

  descriptions(): ProductDescription[] {
    return [...this.products.values()].map((product) => product.description);
  }
}

export class ProductShelfError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the delivery products cannot be served:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ProductShelfError';
  }
}

function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}
