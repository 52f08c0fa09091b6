// A test world's damaged line: the first few downloads of a delivered product's ciphertext arrive
// with one byte altered, as a faulty proxy or disk would deliver them. The wallet's check must
// refuse such a package with a not-accept, and the merchant re-sends it without the customer doing
// anything. Off (zero) unless a test asks for it.

import { once } from 'node:events';
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { DELIVERY_CONTENT_PREFIX } from '@opentab/protocol';

export type DamageHook = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export function damagedDownloads(mountPath: string, folder: string, count: number): DamageHook {
  let left = count;
  const prefix = `${mountPath}${DELIVERY_CONTENT_PREFIX}`;
  return async (request, response) => {
    if (left <= 0 || request.method !== 'GET') return false;
    const path = (request.url ?? '').split(/[?#]/, 1)[0] ?? '';
    if (!path.startsWith(prefix)) return false;
    const productId = path.slice(prefix.length);
    const file = join(folder, 'prepared', `${productId}.otd`);
    if (!/^[A-Za-z0-9._-]+$/.test(productId) || !existsSync(file)) return false;
    left--;
    const size_bytes = statSync(file).size;
    const alterAt = Math.floor(size_bytes / 2);
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': size_bytes,
      'access-control-allow-origin': '*',
      'cache-control': 'no-store',
    });
    let position = 0;
    for await (const piece of createReadStream(file)) {
      const bytes = piece as Buffer;
      if (alterAt >= position && alterAt < position + bytes.length) bytes[alterAt - position]! ^= 0xff;
      position += bytes.length;
      if (!response.write(bytes)) await once(response, 'drain');
    }
    response.end();
    return true;
  };
}
