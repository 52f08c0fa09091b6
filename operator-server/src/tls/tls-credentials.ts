// The operator's own TLS certificate and key, read from PEM files and checked before they are
// served: at start-up (a bad pair stops the operator with the reason) and at every reload (a bad
// pair is refused and the one in service stays).

import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface TlsFiles {
  /** PEM: the server certificate, then any intermediate certificates. */
  readonly certificateFile: string;
  /** PEM: the certificate's private key, unencrypted. */
  readonly keyFile: string;
}

export interface TlsCredentials {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 fingerprint of the server certificate, as node:crypto writes it; names it in logs. */
  readonly fingerprint256: string;
  readonly validTo: string;
}

export type TlsCredentialsRead =
  | { readonly ok: true; readonly credentials: TlsCredentials }
  | { readonly ok: false; readonly problems: readonly string[] };

type FileRead = { text: string; problem: null } | { text: null; problem: string };

function readText(path: string, what: string): FileRead {
  try {
    return { text: readFileSync(path, 'utf8'), problem: null };
  } catch (error) {
    return { text: null, problem: `cannot read the ${what} ${path}: ${(error as Error).message}` };
  }
}

function parseCertificate(pem: string, path: string): { certificate: X509Certificate } | { problem: string } {
  try {
    return { certificate: new X509Certificate(pem) };
  } catch {
    return { problem: `the TLS certificate file ${path} holds no PEM certificate` };
  }
}

function parseKey(pem: string, path: string): { key: KeyObject } | { problem: string } {
  try {
    return { key: createPrivateKey(pem) };
  } catch {
    return { problem: `the TLS key file ${path} holds no unencrypted PEM private key` };
  }
}

/** Both files, parsed, and the key the one the certificate names; every problem found, otherwise. */
export function readTlsCredentials(files: TlsFiles): TlsCredentialsRead {
  const certificateFile = readText(files.certificateFile, 'TLS certificate file');
  const keyFile = readText(files.keyFile, 'TLS key file');
  const problems = [certificateFile.problem, keyFile.problem].filter((problem) => problem !== null);
  if (certificateFile.text === null || keyFile.text === null) return { ok: false, problems };
  const certificate = parseCertificate(certificateFile.text, files.certificateFile);
  const key = parseKey(keyFile.text, files.keyFile);
  if ('problem' in certificate) problems.push(certificate.problem);
  if ('problem' in key) problems.push(key.problem);
  if ('problem' in certificate || 'problem' in key) return { ok: false, problems };
  if (!certificate.certificate.checkPrivateKey(key.key)) {
    return {
      ok: false,
      problems: [
        `the TLS key file ${files.keyFile} does not hold the key of the certificate in ${files.certificateFile}`,
      ],
    };
  }
  return {
    ok: true,
    credentials: {
      cert: certificateFile.text,
      key: keyFile.text,
      fingerprint256: certificate.certificate.fingerprint256,
      validTo: certificate.certificate.validTo,
    },
  };
}

/** PEM certificates of a CA file (a bundle may hold several); a problem sentence when there are none. */
export function readCaCertificates(path: string): { ok: true; pem: string } | { ok: false; problem: string } {
  const file = readText(path, 'trusted CA file');
  if (file.text === null) return { ok: false, problem: file.problem };
  const parsed = parseCertificate(file.text, path);
  if ('problem' in parsed) return { ok: false, problem: `the trusted CA file ${path} holds no PEM certificate` };
  return { ok: true, pem: file.text };
}
