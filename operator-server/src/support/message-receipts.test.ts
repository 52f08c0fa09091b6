import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OpentabError } from '../../../protocol/errors';
import { openDatabase } from '../ledger';
import { migrateOperatorStore } from '../store/schema';
import { MessageReceipts } from './message-receipts';

function receipts() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'opentab-receipts-')), 'operator.sqlite'));
  migrateOperatorStore(db);
  return new MessageReceipts(db);
}

const message = (id: string, sig: string) => ({ payload: { id }, sig });
const pass = () => undefined;

describe('message receipts', () => {
  it('processes a message once and answers its replay with the first answer', async () => {
    const store = receipts();
    let effects = 0;
    const process = () => ({ effect: ++effects });
    expect(await store.once('route', message('a', 's1'), 1_000, pass, process)).toEqual({ effect: 1 });
    expect(await store.once('route', message('a', 's1'), 2_000, pass, process)).toEqual({ effect: 1 });
    expect(effects).toBe(1);
    await expect(store.once('route', message('a', 's2'), 2_000, pass, process)).rejects.toMatchObject({ code: 'id_reused' });
  });

  it('replays a refusal, but never stores a failed authentication', async () => {
    const store = receipts();
    const refuse = () => {
      throw new OpentabError('insufficient_funds');
    };
    await expect(store.once('route', message('b', 's1'), 1_000, pass, refuse)).rejects.toMatchObject({ code: 'insufficient_funds' });
    await expect(store.once('route', message('b', 's1'), 1_000, pass, () => 'ok')).rejects.toMatchObject({ code: 'insufficient_funds' });
    const forged = () => {
      throw new OpentabError('bad_signature');
    };
    await expect(store.once('route', message('c', 'forged'), 1_000, forged, () => 'ok')).rejects.toMatchObject({ code: 'bad_signature' });
    // The real message under the same id still goes through.
    expect(await store.once('route', message('c', 'real'), 1_000, pass, () => 'ok')).toBe('ok');
  });

  it('runs concurrent duplicates once', async () => {
    const store = receipts();
    let effects = 0;
    const slow = async () => {
      effects++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return effects;
    };
    const answers = await Promise.all([store.once('r', message('d', 's'), 1, pass, slow), store.once('r', message('d', 's'), 1, pass, slow)]);
    expect(answers).toEqual([1, 1]);
    expect(effects).toBe(1);
  });

  it('prunes answers older than asked, oldest first', async () => {
    const store = receipts();
    await store.once('r', message('old', 's'), 1_000, pass, () => 'old');
    await store.once('r', message('new', 's'), 9_000, pass, () => 'new');
    expect(store.prune(5_000)).toBe(1);
    let effects = 0;
    expect(await store.once('r', message('new', 's'), 9_500, pass, () => ++effects)).toBe('new');
    expect(await store.once('r', message('old', 's'), 9_500, pass, () => ++effects)).toBe(1);
  });
});
