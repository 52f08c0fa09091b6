// Preparing products ahead of time, from the CLI and as a library, and the agent's refusal to serve
// a product folder that does not match its key, its catalogue or its own descriptions.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  callRoute,
  DELIVERY_AGENT_API,
  fromBase64url,
  ProductDecryptor,
  signerFromSecretKey,
  toBase64url,
  verifyEnvelope,
} from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { MERCHANT_ID, StandInMta } from '@opentab/test-kit/merchant-agent';
import { Catalogue } from '../catalogue';
import { createMerchantAgent } from '../agent';
import { prepareProducts } from './product-preparation';
import { ProductShelf, ProductShelfError } from './product-shelf';

const run = promisify(execFile);

function productFolder(price = '1.00', bytes = nodeCrypto.randomBytes(200_000)): { folder: string; bytes: Uint8Array } {
  const folder = mkdtempSync(join(tmpdir(), 'opentab-products-'));
  writeFileSync(join(folder, 'book.epub'), bytes);
  writeFileSync(
    join(folder, 'products.json'),
    JSON.stringify([
      {
        productId: 'ebook-1',
        name: 'An e-book',
        file: 'book.epub',
        mediaType: 'application/epub+zip',
        price: { currency: 'EUR', value: price },
      },
    ]),
  );
  return { folder, bytes };
}

const catalogue = (price: string) => {
  const built = Catalogue.fromEntries('EUR', [{ itemId: 'ebook-1', title: 'An e-book', price }]);
  if (!built.ok) throw new Error(built.problems.join());
  return built.catalogue;
};

function decrypt(cipher: Uint8Array, key: Uint8Array): Uint8Array {
  const decryptor = new ProductDecryptor(key);
  const head = decryptor.push(cipher);
  const tail = decryptor.finish();
  return new Uint8Array([...head, ...tail]);
}

describe('prepare-products', () => {
  it('encrypts and signs a folder from the CLI, and the agent started on it serves what it prepared', async () => {
    const mta = await StandInMta.start();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'opentab-merchant-'));
      const secret = nodeCrypto.ed25519.generateSecretKey();
      writeFileSync(join(dir, 'merchant.key'), `${toBase64url(secret)}\n`);
      writeFileSync(join(dir, 'access.secret'), `${toBase64url(nodeCrypto.randomBytes(32))}\n`);
      const { folder, bytes } = productFolder();
      const configPath = join(dir, 'merchant.json');
      const config = {
        listen: { host: '127.0.0.1', port: 0 },
        merchantId: MERCHANT_ID,
        displayName: 'Test News',
        currency: 'EUR',
        catalogue: [{ itemId: 'ebook-1', title: 'An e-book', price: '1.00' }],
        operatorId: mta.operatorId,
        operatorBaseUrl: mta.baseUrl,
        operatorPublicKey: mta.operatorPublicKey,
        databasePath: './agent.sqlite',
        merchantSecretKeyFile: './merchant.key',
        accessTokenSecretFile: './access.secret',
        delivery: { productsDirectory: folder },
      };
      writeFileSync(configPath, JSON.stringify(config));
      const { stdout } = await run(process.execPath, [
        '--import',
        'tsx',
        'merchant-widget/agent/cli/main.ts',
        'prepare-products',
        folder,
        '--config',
        configPath,
        '--chunk-kib',
        '16',
      ]);
      expect(stdout).toMatch(/product\.prepared product=ebook-1 size_bytes=200000 encrypted_bytes=200231 sha256=\S+/);

      const agent = await createMerchantAgent({
        ...config,
        merchantSecretKey: toBase64url(secret),
        accessTokenSecret: toBase64url(nodeCrypto.randomBytes(32)),
        databasePath: join(dir, 'agent.sqlite'),
        logger: { warn: () => {} },
      });
      const { createServer } = await import('node:http');
      const server = createServer((request, response) => void agent.handle(request, response));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/opentab`;
        const { products } = await callRoute(base, DELIVERY_AGENT_API.products, undefined);
        expect(products).toHaveLength(1);
        const description = products[0]!;
        expect(verifyEnvelope(nodeCrypto, description, signerFromSecretKey(nodeCrypto, secret).publicKey)).toBe(true);
        expect(description.payload).toMatchObject({ productId: 'ebook-1', size_bytes: 200_000, chunk_bytes: 16_384 });
        const response = await fetch(`${base}/delivery/content/ebook-1`);
        const cipher = new Uint8Array(await response.arrayBuffer());
        expect(cipher.length).toBe(description.payload.encryptedSize_bytes);
        expect(toBase64url(createHash('sha256').update(cipher).digest())).toBe(description.payload.ciphertextHash);
        const prepared = JSON.parse(readFileSync(join(folder, 'prepared', 'ebook-1.json'), 'utf8'));
        expect(decrypt(cipher, fromBase64url(prepared.key))).toEqual(bytes);
        expect((await fetch(`${base}/delivery/content/nothing`)).status).toBe(404);
      } finally {
        server.close();
        await agent.close();
      }
    } finally {
      await mta.stop();
    }
  }, 60_000);
});

describe('the product shelf', () => {
  const merchant = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
  const load = (folder: string, price = '1.00', publicKey = merchant.publicKey) =>
    ProductShelf.load(nodeCrypto, folder, { merchantId: MERCHANT_ID, publicKey, catalogue: catalogue(price) });
  const prepared = async (price = '1.00') => {
    const { folder } = productFolder(price);
    await prepareProducts(nodeCrypto, folder, { merchantId: MERCHANT_ID, signer: merchant }, 4096);
    return folder;
  };

  it('serves a folder prepared with this key at the catalogue price', async () => {
    const shelf = load(await prepared());
    expect(shelf.product('ebook-1')?.description.payload.price).toEqual({ currency: 'EUR', value: '1.00' });
  });

  it('refuses a folder not prepared, prepared with another key, at another price, or with a cut ciphertext', async () => {
    const { folder: unprepared } = productFolder();
    expect(() => load(unprepared)).toThrow(/not prepared/);
    const other = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const byAnotherKey = await prepared();
    expect(() => load(byAnotherKey, '1.00', other.publicKey)).toThrow(/another merchant key/);
    const atAnotherPrice = await prepared('2.00');
    expect(() => load(atAnotherPrice)).toThrow(/another price/);
    const cut = await prepared();
    truncateSync(join(cut, 'prepared', 'ebook-1.otd'), 1000);
    expect(() => load(cut)).toThrow(ProductShelfError);
  });

  it('refuses a product list that names a file outside its folder', () => {
    const folder = mkdtempSync(join(tmpdir(), 'opentab-products-'));
    mkdirSync(join(folder, 'sub'));
    writeFileSync(
      join(folder, 'products.json'),
      JSON.stringify([
        {
          productId: 'x',
          name: 'X',
          file: '../secret',
          mediaType: 'text/plain',
          price: { currency: 'EUR', value: '1.00' },
        },
      ]),
    );
    return expect(prepareProducts(nodeCrypto, folder, { merchantId: MERCHANT_ID, signer: merchant })).rejects.toThrow(
      /in the folder itself/,
    );
  });
});
