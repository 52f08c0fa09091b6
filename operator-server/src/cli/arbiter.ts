// opentab-operator arbiter: what an arbiter (the seed's consumer board) runs on a customer's
// evidence bundle. `verify` checks it offline from the CA key down and shows what the merchant
// described; `release-key` asks the MTA for the order's escrowed K2 (signed by the arbiter's key,
// which the MTA must be configured with; the MTA logs the release), opens it with a one-time
// X25519 key, and with --ciphertext decrypts the delivered product, streamed, to --out.

import { parseCommandArgs } from '@opentab/server-kit';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import {
  callRoute,
  DELIVERY_OPERATOR_API,
  EvidenceBundle,
  fromBase64url,
  fromBase64urlOfLength,
  openSealedKey,
  parseMessage,
  ProductDecryptor,
  RemoteCallError,
  seal,
  signerFromSecretKey,
  toBase64url,
  verifyEvidenceBundle,
  x25519KeyPair,
  type KeyReleaseRequestPayload,
  type PayloadBody,
} from '@opentab/protocol';
import { createNodeHttpTransport, nodeCrypto } from '@opentab/server-kit';

export const ARBITER_USAGE = `  arbiter verify BUNDLE --ca-key KEY     check an evidence bundle offline (exit 1 when it does not verify)
  arbiter release-key BUNDLE --ca-key KEY --operator URL --arbiter-key FILE
                 [--ciphertext FILE --out FILE] [--trusted-ca FILE ...]
                                                        obtain the order's K2 from the MTA's escrow
                                                        (logged there) and decrypt the product
`;

export class ArbiterError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'ArbiterError';
  }
}

function readBundle(path: string): EvidenceBundle {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ArbiterError(`cannot read the bundle ${path}: ${(error as Error).message}`);
  }
  const parsed = parseMessage(EvidenceBundle, raw);
  if (!parsed.ok) throw new ArbiterError(`${path} is not an evidence bundle: ${parsed.error.details.join('; ')}`, 1);
  return parsed.value;
}

function verified(bundle: EvidenceBundle, caKey: string) {
  const verdict = verifyEvidenceBundle(nodeCrypto, bundle, caKey);
  const d = bundle.description.payload;
  return verdict.ok
    ? {
        ok: true as const,
        orderId: verdict.orderId,
        merchantId: verdict.merchantId,
        operatorId: bundle.operatorCertificate.payload.operatorId,
        described: {
          productId: d.productId,
          name: d.name,
          summary: d.summary,
          fileName: d.fileName,
          mediaType: d.mediaType,
          size_bytes: d.size_bytes,
          price: d.price,
        },
        acceptedAt: bundle.accept.payload.iat,
      }
    : verdict;
}

async function decryptTo(ciphertextPath: string, key: Uint8Array, outPath: string): Promise<number> {
  const decryptor = new ProductDecryptor(key);
  const out = createWriteStream(outPath);
  let written = 0;
  const write = async (bytes: Uint8Array) => {
    written += bytes.length;
    if (bytes.length > 0 && !out.write(bytes)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  for await (const piece of createReadStream(ciphertextPath)) await write(decryptor.push(piece as Buffer));
  await write(decryptor.finish());
  out.end();
  await finished(out);
  return written;
}

/** Runs one arbiter command; resolves with what to print, throws ArbiterError to stop with its exit code. */
export async function arbiterCommand(argv: readonly string[]): Promise<{ output: unknown; exitCode: number }> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseCommandArgs({
    args: [...rest],
    options: {
      'ca-key': { type: 'string' },
      operator: { type: 'string' },
      'arbiter-key': { type: 'string' },
      ciphertext: { type: 'string' },
      out: { type: 'string' },
      'trusted-ca': { type: 'string', multiple: true },
    },
    allowPositionals: true,
    strict: true,
  });
  const bundlePath = positionals[0] ?? null;
  const caKey = values['ca-key'];
  if (bundlePath === null || caKey === undefined) throw new ArbiterError('name the bundle and --ca-key');
  const bundle = readBundle(bundlePath);
  const verdict = verified(bundle, caKey);
  if (action === 'verify') return { output: verdict, exitCode: verdict.ok ? 0 : 1 };
  if (action !== 'release-key') throw new ArbiterError(`unknown arbiter command ${action}\n\n${ARBITER_USAGE}`);
  // An arbiter never asks for a key on a bundle it could not itself verify.
  if (!verdict.ok) return { output: verdict, exitCode: 1 };
  const operatorUrl = values.operator;
  const arbiterKeyFile = values['arbiter-key'];
  if (operatorUrl === undefined || arbiterKeyFile === undefined)
    throw new ArbiterError('release-key needs --operator and --arbiter-key');
  if ((values.ciphertext === undefined) !== (values.out === undefined))
    throw new ArbiterError('--ciphertext and --out go together');
  const signer = signerFromSecretKey(
    nodeCrypto,
    fromBase64urlOfLength(readFileSync(arbiterKeyFile, 'utf8').trim(), 32),
  );
  const oneTime = x25519KeyPair((length) => nodeCrypto.randomBytes(length));
  const trustedCaCertificates = (values['trusted-ca'] ?? []).map((file) => readFileSync(file, 'utf8'));
  let release;
  try {
    release = await callRoute(
      operatorUrl,
      DELIVERY_OPERATOR_API.keyRelease,
      seal(nodeCrypto, signer, {
        type: 'key-release-request',
        bundle,
        arbiterKey: toBase64url(oneTime.publicKey),
      } satisfies PayloadBody<KeyReleaseRequestPayload>),
      { transport: createNodeHttpTransport({ trustedCaCertificates }) },
    );
  } catch (error) {
    if (error instanceof RemoteCallError && error.failure.kind === 'refused')
      throw new ArbiterError(`the MTA refused: ${error.failure.code}: ${error.failure.message}`, 1);
    throw error;
  }
  const key = openSealedKey(oneTime.secretKey, fromBase64url(release.payload.sealedKey), verdict.orderId);
  const output: Record<string, unknown> = {
    orderId: verdict.orderId,
    releaseId: release.payload.id,
    key: toBase64url(key),
  };
  if (values.ciphertext !== undefined && values.out !== undefined) {
    const size_bytes = await decryptTo(values.ciphertext, key, values.out);
    output.decrypted = { file: values.out, size_bytes, sizeAsDescribed: size_bytes === verdict.described.size_bytes };
  }
  return { output, exitCode: 0 };
}
