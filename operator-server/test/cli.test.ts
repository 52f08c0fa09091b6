// The operator CLI as an operator's staff would use it: a CA, an operator directory, a running
// server, a customer with an enrolment code, its credit limit and status changed, a peer revoked,
// the operator's key rotated, a clean stop on SIGINT, and a settlement statement.

import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { callRoute } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import { createNodeHttpTransport, nodeCrypto } from '@opentab/server-kit';
import { generateKeyPair } from '../src/provisioning/keys';
import { createTestCa, issueServerCertificate } from '@opentab/test-kit';
import { findFreePort } from '@opentab/test-kit';
import { PROCESS_STEP_BOUND_MS, waitFor } from '@opentab/test-kit';

/**
 * A bound, not a measure: each step starts a Node process of the CLI, which takes seconds on a
 * machine busy with other work; the test fails on what the commands do, never on how fast.
 */
const CLI_RUN_BOUND_MS = 5 * 60_000;

const run = promisify(execFile);
// node --import tsx, not npx: signals must reach the operator process itself.
const CLI = ['--import', 'tsx', 'operator-server/src/cli/main.ts'];

async function cli(...args: string[]): Promise<any> {
  const { stdout } = await run(process.execPath, [...CLI, ...args], { cwd: process.cwd() });
  return JSON.parse(stdout);
}

/** A command that reads a secret from standard input, as a person would pipe or type it. */
async function cliWithInput(input: string, ...args: string[]): Promise<any> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(input);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(exitCode).toBe(0);
  return JSON.parse(output);
}

describe('opentab-operator CLI', () => {
  it(
    'sets up, runs and stops an operator, and prints a settlement statement',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'opentab-cli-'));
      const ca = await cli('ca-init', '--dir', join(dir, 'ca'));
      expect(ca.caPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const port = await findFreePort();
      const init = await cli(
        'init',
        '--dir',
        join(dir, 'op-se'),
        '--operator-id',
        'op-se',
        '--currency',
        'SEK',
        '--port',
        String(port),
        '--ca',
        join(dir, 'ca'),
        '--peer',
        'op-eu=http://127.0.0.1:9',
      );
      const config = JSON.parse(readFileSync(init.config, 'utf8'));
      expect(config).toMatchObject({
        operatorId: 'op-se',
        currency: 'SEK',
        caPublicKey: ca.caPublicKey,
        peers: [{ operatorId: 'op-eu', baseUrl: 'http://127.0.0.1:9' }],
      });

      const server = spawn(process.execPath, [...CLI, 'start', '--config', init.config], {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      // Its log reaches us through a pipe, in its own time: wait for the line rather than expect it already there.
      const logged = (line: RegExp) =>
        waitFor(`the operator to log ${line}`, () => line.test(output), PROCESS_STEP_BOUND_MS, 50);
      try {
        // It logs operator.started once it listens, however long starting took.
        await logged(/operator\.started .*url=http:\/\/127\.0\.0\.1:\d+/);
        const customer = await cli(
          'customer-create',
          '--config',
          init.config,
          '--credit-limit',
          '250.00',
          '--name',
          'Alice',
        );
        expect(customer).toMatchObject({ currency: 'SEK', creditLimit: { currency: 'SEK', value: '250.00' } });
        expect(customer.enrollmentCode).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
        await logged(/customer\.created .*account=acct_/);
        const raised = await cli(
          'credit-limit',
          '--config',
          init.config,
          '--account',
          customer.accountId,
          '--credit-limit',
          '300.00',
        );
        expect(raised.creditLimit).toEqual({ currency: 'SEK', value: '300.00' });
        await cli(
          'customer-status',
          '--config',
          init.config,
          '--account',
          customer.accountId,
          '--status',
          'suspended',
          '--reason',
          'Card stolen',
        );
        const found = await cli('customers', '--config', init.config, '--status', 'suspended');
        expect(found).toEqual([
          expect.objectContaining({ accountId: customer.accountId, displayName: 'Alice', statusReason: 'Card stolen' }),
        ]);
        await expect(
          run(process.execPath, [
            ...CLI,
            'customer-status',
            '--config',
            init.config,
            '--account',
            customer.accountId,
            '--status',
            'frozen',
            '--reason',
            'x',
          ]),
        ).rejects.toMatchObject({
          code: 2,
          stderr: expect.stringContaining('--status must be one of active, suspended, closed'),
        });
        expect(await cli('outbox', '--config', init.config)).toEqual([]);
        const revoked = await cli('peer-revoke', '--config', init.config, '--peer', 'op-eu', '--reason', 'Key leaked');
        expect(revoked).toMatchObject({ kind: 'peer', subjectId: 'op-eu', reason: 'Key leaked', revokedBy: 'admin' });
        expect(await cli('peers', '--config', init.config)).toEqual([
          { operatorId: 'op-eu', baseUrl: 'http://127.0.0.1:9', revocation: revoked },
        ]);
        expect(await cli('revocations', '--config', init.config)).toEqual([revoked]);
        // A key rotation as the staff and the CA run it: prepare, certify out of band, rotate.
        const prepared = await cli('key-prepare', '--config', init.config);
        const successorFile = join(dir, 'successor-certificate.json');
        await cli(
          'ca-sign',
          '--ca',
          join(dir, 'ca'),
          '--operator-id',
          'op-se',
          '--public-key',
          prepared.publicKey,
          '--base-url',
          prepared.baseUrl,
          '--currency',
          'SEK',
          '--out',
          successorFile,
        );
        const rotated = await cli(
          'key-rotate',
          '--config',
          init.config,
          '--certificate',
          successorFile,
          '--overlap-s',
          '86400',
        );
        expect(rotated).toMatchObject({ successorKey: prepared.publicKey, retired: false, rotatedBy: 'admin' });
        expect((await cli('keys', '--config', init.config)).current.publicKey).toBe(prepared.publicKey);
        const staff = await cliWithInput(
          'a long console password\n',
          'staff-create',
          '--config',
          init.config,
          '--name',
          'ada',
        );
        expect(staff).toMatchObject({ name: 'ada' });
        expect(await cli('staff', '--config', init.config)).toEqual([staff]);
        const [lastChange] = await cli('staff-actions', '--config', init.config);
        expect(lastChange).toMatchObject({ actor: 'admin', action: 'createStaff', detail: '{"name":"ada"}' });
        const disabled = await cli('staff-disable', '--config', init.config, '--name', 'ada');
        expect(disabled).toMatchObject({ name: 'ada', role: 'staff', disabledAt: expect.any(String) });
        expect(await cli('staff', '--config', init.config)).toEqual([disabled]);
        expect(await cli('staff-enable', '--config', init.config, '--name', 'ada')).toMatchObject({ disabledAt: null });
        expect(await cli('staff-unlock', '--config', init.config, '--name', 'ada')).toMatchObject({
          lockedUntil: null,
        });
        // Any admin route by its name, for what has no command of its own.
        const viewed = await cli(
          'api',
          '--config',
          init.config,
          '--route',
          'getCustomer',
          '--param',
          `accountId=${customer.accountId}`,
        );
        expect(viewed).toMatchObject({ accountId: customer.accountId, currency: 'SEK' });
        const searched = await cli(
          'api',
          '--config',
          init.config,
          '--route',
          'searchCustomers',
          '--query',
          'text=Alice',
        );
        expect(searched.map((row: { accountId: string }) => row.accountId)).toEqual([customer.accountId]);
        expect((await cli('api', '--config', init.config, '--route', 'figures')).customers).toBeDefined();
      } finally {
        server.kill('SIGINT');
      }
      // 'close', not 'exit': only then has everything it wrote to stdout been read.
      const exitCode = await new Promise<number | null>((resolve) => server.once('close', resolve));
      expect(exitCode).toBe(0);
      expect(output).toContain('operator.stopped');

      const statement = await cli('settlement', '--config', init.config, '--peer', 'op-eu');
      expect(statement).toMatchObject({ operatorId: 'op-se', peerOperatorId: 'op-eu', lines: [] });
      // Six Node processes that each compile the CLI with tsx first: half a minute on a busy machine.
    },
    CLI_RUN_BOUND_MS,
  );

  it(
    'sets up an operator that serves https, and administers it over TLS',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'opentab-cli-tls-'));
      const tlsCa = createTestCa(join(dir, 'tls-ca'));
      issueServerCertificate(tlsCa, join(dir, 'tls', 'fullchain.pem'), join(dir, 'tls', 'privkey.pem'));
      await cli('ca-init', '--dir', join(dir, 'ca'));
      const port = await findFreePort();
      // The certificate is for localhost: the admin commands reach 127.0.0.1 and check it against the public name.
      const init = await cli(
        'init',
        '--dir',
        join(dir, 'op-se'),
        '--operator-id',
        'op-se',
        '--currency',
        'SEK',
        '--port',
        String(port),
        '--ca',
        join(dir, 'ca'),
        '--public-url',
        `https://localhost:${port}`,
        '--tls-certificate',
        join(dir, 'tls', 'fullchain.pem'),
        '--tls-key',
        join(dir, 'tls', 'privkey.pem'),
        '--trusted-ca',
        tlsCa.certificateFile,
      );
      expect(JSON.parse(readFileSync(init.config, 'utf8'))).toMatchObject({
        publicUrl: `https://localhost:${port}`,
        tls: { certificateFile: join(dir, 'tls', 'fullchain.pem'), keyFile: join(dir, 'tls', 'privkey.pem') },
        trustedCaFiles: [tlsCa.certificateFile],
      });

      const server = spawn(process.execPath, [...CLI, 'start', '--config', init.config], {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        const transport = createNodeHttpTransport({ trustedCaCertificates: [tlsCa.certificatePem] });
        const info = await waitFor(
          'the operator to listen on https',
          () =>
            callRoute(`https://localhost:${port}`, OPERATOR_API.operatorInfo, undefined, { transport }).catch(
              () => undefined,
            ),
          PROCESS_STEP_BOUND_MS,
          100,
        );
        expect(info.operatorId).toBe('op-se');
        expect(output).toMatch(/operator\.started .*url=https:\/\/127\.0\.0\.1:\d+/);
        const customer = await cli('customer-create', '--config', init.config, '--credit-limit', '10.00');
        expect(customer).toMatchObject({ currency: 'SEK', creditLimit: { currency: 'SEK', value: '10.00' } });
      } finally {
        server.kill('SIGINT');
      }
      expect(await new Promise<number | null>((resolve) => server.once('exit', resolve))).toBe(0);
    },
    CLI_RUN_BOUND_MS,
  );

  it('refuses an unknown command with usage text', async () => {
    await expect(run(process.execPath, [...CLI, 'frobnicate'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command frobnicate'),
    });
  });
});

describe('opentab-operator CLI and plain http', () => {
  const refusal = (args: string[]) =>
    run(process.execPath, [...CLI, ...args]).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );

  it('will not set up an operator reached over plain http outside loopback, naming each address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opentab-cli-'));
    await cli('ca-init', '--dir', join(dir, 'ca'));
    const failed = await refusal([
      'init',
      '--dir',
      join(dir, 'op-se'),
      '--operator-id',
      'op-se',
      '--currency',
      'SEK',
      '--port',
      '7001',
      '--host',
      '0.0.0.0',
      '--ca',
      join(dir, 'ca'),
      '--peer',
      'op-eu=http://op-eu.example',
    ]);
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain(
      'publicUrl http://0.0.0.0:7001 must use https: (plain http: only on loopback: 127.0.0.0/8, ::1, localhost)',
    );
    expect(failed?.stderr).toContain('peer op-eu http://op-eu.example must use https:');
    expect(existsSync(join(dir, 'op-se', 'operator.json'))).toBe(false);

    const init = await cli(
      'init',
      '--dir',
      join(dir, 'op-se'),
      '--operator-id',
      'op-se',
      '--currency',
      'SEK',
      '--port',
      '7001',
      '--host',
      '0.0.0.0',
      '--ca',
      join(dir, 'ca'),
      '--public-url',
      'https://op-se.example',
      '--peer',
      'op-eu=https://op-eu.example',
    );
    expect(init.baseUrl).toBe('https://op-se.example');
    expect(JSON.parse(readFileSync(init.config, 'utf8'))).toMatchObject({
      publicUrl: 'https://op-se.example',
      listen: { host: '0.0.0.0', port: 7001 },
    });
  });

  it('will not sign an operator certificate for a plain-http address outside loopback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opentab-cli-'));
    await cli('ca-init', '--dir', join(dir, 'ca'));
    const { publicKey } = await cli('keygen', '--out', join(dir, 'op.key'));
    const failed = await refusal([
      'ca-sign',
      '--ca',
      join(dir, 'ca'),
      '--operator-id',
      'op-se',
      '--public-key',
      publicKey,
      '--base-url',
      'http://op-se.example',
      '--currency',
      'SEK',
      '--out',
      join(dir, 'cert.json'),
    ]);
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('base URL http://op-se.example must use https:');
    expect(existsSync(join(dir, 'cert.json'))).toBe(false);
  });
  it(
    'takes a key that starts with a dash, as one base64url key in 64 does',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'opentab-cli-'));
      await cli('ca-init', '--dir', join(dir, 'ca'));
      let publicKey = '';
      while (!publicKey.startsWith('-')) publicKey = generateKeyPair(nodeCrypto).publicKey;
      const signed = await cli(
        ...['ca-sign', '--ca', join(dir, 'ca'), '--operator-id', 'op-se', '--public-key', publicKey],
        ...['--base-url', 'https://op-se.example', '--currency', 'SEK', '--out', join(dir, 'cert.json')],
      );
      expect(signed.publicKey).toBe(publicKey);
      expect(JSON.parse(readFileSync(join(dir, 'cert.json'), 'utf8')).payload.publicKey).toBe(publicKey);
    },
    CLI_RUN_BOUND_MS,
  );
});
