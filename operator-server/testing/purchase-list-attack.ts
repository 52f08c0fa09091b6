// An operator trying to learn what a customer bought from the purchase-list hash in the records it
// holds: it knows the merchant's public catalogue, each record's count and total, and every value
// it stores. It enumerates every list of up to `maxLength` catalogue items whose prices add up to
// the recorded total, and hashes each the way the protocol once did (unkeyed SHA-256) and under
// every 32-byte value it holds, in case the key that keys the hash is among them.

import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '@opentab/protocol';

export interface CatalogueLine {
  readonly itemId: string;
  readonly price: { readonly currency: string; readonly value: string };
}

export interface RecordedList {
  readonly purchaseListHash: string;
  readonly total: { readonly currency: string; readonly value: string };
}

export interface AttackResult {
  /** The list whose hash matched, in purchase order, or null. */
  readonly recovered: readonly string[] | null;
  /** How many lists were hashed, and under how many keys each (the unkeyed hash counts as one). */
  readonly listsTried: number;
  readonly keysTried: number;
  readonly elapsed_ms: number;
}

const BASE64URL_32_BYTES = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
const HEX_32_BYTES = /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/g;

/** Every 32-byte value written out in `text` as base64url or hex: what the attacker tries as keys. */
export function candidateKeys(text: string): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const match of text.match(BASE64URL_32_BYTES) ?? []) {
    const bytes = Buffer.from(match, 'base64url');
    if (bytes.length === 32) seen.set(bytes.toString('hex'), bytes);
  }
  for (const match of text.match(HEX_32_BYTES) ?? []) seen.set(match, Buffer.from(match, 'hex'));
  return [...seen.values()];
}

function minorUnits(value: string): number {
  const [whole, fraction = ''] = value.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function bruteForcePurchaseList(
  record: RecordedList,
  catalogue: readonly CatalogueLine[],
  keys: readonly Buffer[],
  maxLength: number,
): AttackResult {
  const started = performance.now();
  const total = minorUnits(record.total.value);
  const prices = catalogue.map((item) => minorUnits(item.price.value));
  // Each line's canonical JSON, per position: a list's JSON is "[" + its lines joined by "," + "]".
  const lineJson = Array.from({ length: maxLength }, (_, position) =>
    catalogue.map((item) =>
      canonicalJson({
        seq: position + 1,
        itemId: item.itemId,
        price: { currency: item.price.currency, value: item.price.value },
      }),
    ),
  );
  let listsTried = 0;
  const chosen: number[] = [];

  const matches = (json: string): boolean => {
    listsTried++;
    if (createHash('sha256').update(json).digest('base64url') === record.purchaseListHash) return true;
    return keys.some((key) => createHmac('sha256', key).update(json).digest('base64url') === record.purchaseListHash);
  };

  const search = (spent: number): boolean => {
    if (spent === total && chosen.length > 0) {
      if (matches(`[${chosen.map((item, position) => lineJson[position]![item]).join(',')}]`)) return true;
    }
    if (chosen.length === maxLength) return false;
    for (let item = 0; item < catalogue.length; item++) {
      if (spent + prices[item]! > total) continue;
      chosen.push(item);
      if (search(spent + prices[item]!)) return true;
      chosen.pop();
    }
    return false;
  };

  const found = search(0);
  return {
    recovered: found ? chosen.map((item) => catalogue[item]!.itemId) : null,
    listsTried,
    keysTried: keys.length + 1,
    elapsed_ms: performance.now() - started,
  };
}
