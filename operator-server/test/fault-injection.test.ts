// The crash-test seam of the operator's HTTP edge (protocol/server/fault-injection.ts), on a real
// operator process: with OPENTAB_FAULT_KILL_AFTER_COMMIT set, the n-th POST on that path commits,
// the process dies by SIGKILL, and the caller never gets the answer.

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RemoteCallError } from '@opentab/protocol';
import { KILL_AFTER_COMMIT_ENV } from '@opentab/server-kit';
import { AdminClient } from '../src/admin/admin-client';
import { findFreePort } from '@opentab/test-kit';
import { provisionOperatorWorld } from '@opentab/test-kit/worlds';
import { boundForProcessSteps, PROCESS_STEP_BOUND_MS, waitFor } from '@opentab/test-kit';

describe('kill after commit, at the operator', () => {
  it(
    'commits the n-th answer on the path, then dies by SIGKILL before it is sent',
    async () => {
      const port = await findFreePort();
      const [operator] = provisionOperatorWorld(
        mkdtempSync(join(tmpdir(), 'opentab-fault-')),
        [{ operatorId: 'op-se', currency: 'SEK' }],
        [port],
        { log: 'silent' },
        Date.now(),
      );
      const server = spawn(
        process.execPath,
        ['--import', 'tsx', 'operator-server/src/cli/main.ts', 'start', '--config', operator!.configPath],
        {
          cwd: process.cwd(),
          stdio: 'ignore',
          env: { ...process.env, [KILL_AFTER_COMMIT_ENV]: '/v1/admin/customers:2' },
        },
      );
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        server.once('exit', (_code, signal) => resolve(signal)),
      );
      try {
        await waitFor(
          'the operator to listen',
          async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok,
          PROCESS_STEP_BOUND_MS,
          100,
        );
        const admin = new AdminClient(`http://127.0.0.1:${port}`, operator!.adminToken);
        await admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: '10.00' } });
        const second = await admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: '20.00' } }).then(
          () => null,
          (error: unknown) => error,
        );
        expect(second).toBeInstanceOf(RemoteCallError);
        expect((second as RemoteCallError).failure.kind).toBe('unreachable');
        expect(await exited).toBe('SIGKILL');
      } finally {
        server.kill('SIGKILL');
      }
      const db = new Database(join(operator!.dir, 'data', 'operator.sqlite'), { readonly: true });
      try {
        const limits = db
          .prepare('SELECT min_balance FROM ledger_accounts WHERE kind = ? ORDER BY min_balance DESC')
          .pluck()
          .all('customer');
        expect(limits).toEqual([-1000, -2000]);
      } finally {
        db.close();
      }
    },
    boundForProcessSteps(2),
  ); // the start, and the rest of the test as long again
});
