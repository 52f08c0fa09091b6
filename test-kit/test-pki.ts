// A throwaway certificate authority and server certificates for tests of real TLS on 127.0.0.1,
// made with Debian's openssl command (node:crypto makes keys but cannot sign X.509 certificates).

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TestCa {
  readonly dir: string;
  readonly certificateFile: string;
  /** The CA certificate, PEM: what a client that should trust the servers is given. */
  readonly certificatePem: string;
  readonly keyFile: string;
}

export interface TestServerCertificate {
  readonly certificateFile: string;
  readonly keyFile: string;
  readonly certificatePem: string;
  readonly keyPem: string;
}

function openssl(args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'the tests of TLS need the openssl command (Debian: apt-get install openssl)'
        : `openssl ${args[0]} failed: ${String((error as { stderr?: unknown }).stderr ?? error)}`,
    );
  }
}

/** A P-256 CA, valid for two days, in `dir`. */
export function createTestCa(dir: string, name = 'Opentab test CA'): TestCa {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, 'ca.key');
  const certificateFile = join(dir, 'ca.pem');
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certificateFile,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { dir, certificateFile, certificatePem: readFileSync(certificateFile, 'utf8'), keyFile };
}

let issued = 0;

/**
 * A server certificate for localhost and 127.0.0.1 signed by `ca`, written to `certificateFile`
 * and `keyFile` (overwriting them: a renewal). Each call makes a new key and serial number.
 */
export function issueServerCertificate(ca: TestCa, certificateFile: string, keyFile: string): TestServerCertificate {
  issued += 1;
  const work = join(ca.dir, `issue-${process.pid}-${issued}`);
  mkdirSync(work, { recursive: true });
  const request = join(work, 'server.csr');
  const extensions = join(work, 'server.ext');
  writeFileSync(
    extensions,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  const newKey = join(work, 'server.key');
  const newCertificate = join(work, 'server.pem');
  openssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    newKey,
    '-out',
    request,
    '-subj',
    '/CN=localhost',
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    request,
    '-CA',
    ca.certificateFile,
    '-CAkey',
    ca.keyFile,
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '2',
    '-extfile',
    extensions,
    '-out',
    newCertificate,
  ]);
  const keyPem = readFileSync(newKey, 'utf8');
  const certificatePem = readFileSync(newCertificate, 'utf8');
  mkdirSync(dirname(keyFile), { recursive: true });
  mkdirSync(dirname(certificateFile), { recursive: true });
  writeFileSync(keyFile, keyPem, { mode: 0o600 });
  writeFileSync(certificateFile, certificatePem);
  return { certificateFile, keyFile, certificatePem, keyPem };
}
