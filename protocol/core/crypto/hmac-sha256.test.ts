import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8ToBytes } from '../encoding/bytes';
import { hmacSha256 } from './hmac-sha256';
import { nobleCrypto } from './noble';
import { nodeCrypto } from '@opentab/test-kit';

// RFC 4231 §4: test cases 1 (short key), 2 (key shorter than the hash), 6 (key longer than a block).
const VECTORS = [
  {
    key: '0b'.repeat(20),
    data: utf8ToBytes('Hi There'),
    mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  },
  {
    key: bytesToHex(utf8ToBytes('Jefe')),
    data: utf8ToBytes('what do ya want for nothing?'),
    mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    key: 'aa'.repeat(131),
    data: utf8ToBytes('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
];

describe('HMAC-SHA256', () => {
  for (const [i, vector] of VECTORS.entries()) {
    it(`matches RFC 4231 vector ${i + 1} with either provider`, () => {
      for (const crypto of [nodeCrypto, nobleCrypto]) {
        expect(bytesToHex(hmacSha256(crypto, hexToBytes(vector.key), vector.data))).toBe(vector.mac);
      }
    });
  }

  it('agrees with node:crypto on keys of every length around the block size', () => {
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      const key = nodeCrypto.randomBytes(keyLength);
      const message = nodeCrypto.randomBytes(keyLength * 3 + 1);
      expect(bytesToHex(hmacSha256(nobleCrypto, key, message))).toBe(
        createHmac('sha256', key).update(message).digest('hex'),
      );
    }
  });
});
