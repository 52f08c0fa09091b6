// Pure-JavaScript provider for the extension and the widget: audited, dependency-free @noble code.

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import type { CryptoProvider } from './provider';

export const nobleCrypto: CryptoProvider = {
  name: 'noble',
  ed25519: {
    generateSecretKey: () => randomBytes(32),
    publicKeyOf: (secretKey) => ed25519.getPublicKey(secretKey),
    sign: (message, secretKey) => ed25519.sign(message, secretKey),
    verify(signature, message, publicKey) {
      try {
        return ed25519.verify(signature, message, publicKey);
      } catch {
        return false;
      }
    },
  },
  sha256: (data) => sha256(data),
  randomBytes: (length) => randomBytes(length),
};
