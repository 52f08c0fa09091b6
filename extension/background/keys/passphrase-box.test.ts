import { describe, expect, it } from 'vitest';
import { utf8ToBytes } from '@opentab/protocol';
import { TEST_SCRYPT_COST } from '../testing/test-ports';
import { openWithPassphrase, sealWithPassphrase } from './passphrase-box';

const secret = utf8ToBytes('thirty-two bytes of key material');

describe('passphrase box', () => {
  it('opens with the passphrase and purpose it was sealed with', async () => {
    const box = await sealWithPassphrase(secret, 'correct horse battery', 'test/v1', TEST_SCRYPT_COST);
    expect(box).toMatchObject({ kdf: 'scrypt', cipher: 'xchacha20poly1305', cost: TEST_SCRYPT_COST });
    const opened = await openWithPassphrase(box, 'correct horse battery', 'test/v1');
    expect(opened).toEqual({ ok: true, plaintext: secret });
  });

  it('never stores the plaintext and uses a fresh salt and nonce each time', async () => {
    const a = await sealWithPassphrase(secret, 'correct horse battery', 'test/v1', TEST_SCRYPT_COST);
    const b = await sealWithPassphrase(secret, 'correct horse battery', 'test/v1', TEST_SCRYPT_COST);
    expect(JSON.stringify(a)).not.toContain('thirty-two');
    expect(a.salt).not.toBe(b.salt);
    expect(a.nonce).not.toBe(b.nonce);
  });

  it('refuses a wrong passphrase, another purpose, and a tampered ciphertext', async () => {
    const box = await sealWithPassphrase(secret, 'correct horse battery', 'test/v1', TEST_SCRYPT_COST);
    expect(await openWithPassphrase(box, 'wrong horse battery', 'test/v1')).toEqual({
      ok: false,
      problem: 'wrong_passphrase',
    });
    expect(await openWithPassphrase(box, 'correct horse battery', 'other/v1')).toEqual({
      ok: false,
      problem: 'wrong_passphrase',
    });
    const flipped = box.ciphertext.startsWith('A') ? `B${box.ciphertext.slice(1)}` : `A${box.ciphertext.slice(1)}`;
    expect(await openWithPassphrase({ ...box, ciphertext: flipped }, 'correct horse battery', 'test/v1')).toMatchObject(
      { ok: false },
    );
  });

  it('refuses a box whose cost would exhaust memory, before deriving anything', async () => {
    const box = await sealWithPassphrase(secret, 'correct horse battery', 'test/v1', TEST_SCRYPT_COST);
    expect(
      await openWithPassphrase({ ...box, cost: { N: 2 ** 30, r: 8, p: 1 } }, 'correct horse battery', 'test/v1'),
    ).toEqual({
      ok: false,
      problem: 'malformed_box',
    });
  });
});
