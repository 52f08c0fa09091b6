// Nothing leaves the operator before the commits behind it are on disk: answers to POSTs and
// calls to peers wait for the shared fsync of the WAL, and a failed fsync is a 500, never an answer.

import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callRoute, RemoteCallError } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import { AdminClient } from '../src/admin/admin-client';
import { loadConfigFile } from '../src/config/config';
import { startOperator, type RunningOperator } from '../src/operator';
import { findFreePort } from '@opentab/test-kit';
import { provisionOperatorWorld } from '@opentab/test-kit/worlds';
import { createLogger } from '../src/support/logger';
import { waitFor } from '@opentab/test-kit';

/** A WAL sync the test completes by hand. */
function heldSync() {
  const waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  return {
    sync: () => new Promise<void>((resolve, reject) => waiting.push({ resolve, reject })),
    started: () => waiting.length,
    finishAll(error?: Error) {
      for (const w of waiting.splice(0)) {
        if (error === undefined) w.resolve();
        else w.reject(error);
      }
    },
  };
}

let running: RunningOperator | null = null;

afterEach(async () => {
  await running?.close();
  running = null;
});

async function startWithSync(sync: () => Promise<void>): Promise<{ operator: RunningOperator; admin: AdminClient }> {
  const [provisioned] = provisionOperatorWorld(
    mkdtempSync(join(tmpdir(), 'opentab-durable-')),
    [{ operatorId: 'op-se', currency: 'SEK' }],
    [await findFreePort()],
    { log: 'silent' },
    Date.now(),
  );
  const config = loadConfigFile(provisioned!.configPath, {});
  running = await startOperator(config, { syncWal: sync, backgroundJobs: false, log: createLogger('op-se', 'silent') });
  return { operator: running, admin: new AdminClient(running.url, provisioned!.adminToken) };
}

/** Resolves once something waits for the held sync: from then on, only finishing it lets that go on. */
const syncAwaited = (wal: ReturnType<typeof heldSync>) => waitFor('a WAL sync to be awaited', () => wal.started() >= 1);

describe('durable answers', () => {
  it('answers a POST only once the WAL holding its commit is synced', async () => {
    const wal = heldSync();
    const { operator, admin } = await startWithSync(wal.sync);
    let answered = false;
    const creating = admin
      .call('createCustomer', { creditLimit: { currency: 'SEK', value: '10.00' } })
      .then((answer) => {
        answered = true;
        return answer;
      });
    await syncAwaited(wal);
    // A later exchange (a GET, which does not wait for the disk) comes back; the POST's answer has not.
    await callRoute(operator.url, OPERATOR_API.operatorInfo, undefined);
    expect(wal.started()).toBe(1);
    expect(answered).toBe(false);
    wal.finishAll();
    const { accountId } = await creating;
    expect(accountId).toMatch(/^acct_/);
  });

  it('answers GETs without waiting for the disk', async () => {
    const wal = heldSync();
    const { operator } = await startWithSync(wal.sync);
    const info = await callRoute(operator.url, OPERATOR_API.operatorInfo, undefined);
    expect(info.operatorId).toBe('op-se');
    expect(wal.started()).toBe(0);
  });

  it('answers 500 when the sync fails, never the answer', async () => {
    const wal = heldSync();
    const { admin } = await startWithSync(wal.sync);
    const creating = admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: '10.00' } });
    await syncAwaited(wal);
    wal.finishAll(new Error('EIO: the disk went away'));
    const failure = await creating.then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(RemoteCallError);
    expect((failure as RemoteCallError).failure).toMatchObject({ status: 500, code: 'internal_error' });
  });

  it('sends to peers, merchant agents and webhooks only after the sync', async () => {
    const wal = heldSync();
    const { operator } = await startWithSync(wal.sync);
    let received = 0;
    const peer = createServer((request, response) => {
      received++;
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/`;
      const sending = operator.context.transport({
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        timeout_ms: 5_000,
      });
      await syncAwaited(wal);
      expect(received).toBe(0);
      wal.finishAll();
      expect((await sending).status).toBe(200);
      expect(received).toBe(1);
    } finally {
      peer.closeAllConnections();
      await new Promise<void>((resolve) => peer.close(() => resolve()));
    }
  });
});
