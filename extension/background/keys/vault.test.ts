import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '@opentab/protocol';
import { toBase64url } from '@opentab/protocol';
import { createMemoryDatabase } from '../storage/memory-database';
import { createMemorySessionArea } from '../storage/session-area';
import { ManualClock, RecordingAlarms, TEST_SCRYPT_COST } from '../testing/test-ports';
import { ACTIVITY_WRITE_INTERVAL_MS, IdleLock } from './idle-lock';
import { Vault } from './vault';

const PASSPHRASE = 'a long enough passphrase';

function setup() {
  const db = createMemoryDatabase();
  const session = createMemorySessionArea();
  const vault = new Vault(db, session, nobleCrypto, TEST_SCRYPT_COST);
  return { db, session, vault };
}

describe('vault', () => {
  it('creates an identity key, unlocked, stored only encrypted', async () => {
    const { db, vault } = setup();
    expect(await vault.state()).toBe('uninitialised');
    await vault.create(PASSPHRASE);
    expect(await vault.state()).toBe('unlocked');
    const secret = await vault.secretKey();
    const record = await db.meta.get('vault');
    expect(record?.publicKey).toBe(toBase64url(nobleCrypto.ed25519.publicKeyOf(secret)));
    expect(JSON.stringify(record)).not.toContain(toBase64url(secret));
  });

  it('locks, refuses to sign while locked, and unlocks only with the passphrase', async () => {
    const { vault } = setup();
    await vault.create(PASSPHRASE);
    const before = await vault.signer();
    await vault.lock();
    expect(await vault.state()).toBe('locked');
    await expect(vault.signer()).rejects.toMatchObject({ code: 'wallet_locked' });
    await expect(vault.unlock('not the passphrase')).rejects.toMatchObject({ code: 'wrong_passphrase' });
    await vault.unlock(PASSPHRASE);
    expect((await vault.signer()).kid).toBe(before.kid);
  });

  it('refuses short passphrases and a second wallet', async () => {
    const { vault } = setup();
    await expect(vault.create('short')).rejects.toMatchObject({ code: 'weak_passphrase' });
    await vault.create(PASSPHRASE);
    await expect(vault.create(PASSPHRASE)).rejects.toMatchObject({ code: 'wallet_exists' });
  });

  it('keeps the unlocked key in worker memory: one session read per worker, forgotten when it locks', async () => {
    const { db, session, vault } = setup();
    await vault.create(PASSPHRASE);
    const reads: string[] = [];
    const counted = { ...session, get: (key: string) => (reads.push(key), session.get(key)) };
    const worker = new Vault(db, counted, nobleCrypto, TEST_SCRYPT_COST);
    const kid = (await worker.signer()).kid;
    expect(await worker.state()).toBe('unlocked');
    expect((await worker.signer()).kid).toBe(kid);
    expect(reads).toEqual(['unlockedIdentityKey']);
    await worker.lock();
    expect(await session.get('unlockedIdentityKey')).toBeUndefined();
    await expect(worker.tabSecretsKey()).rejects.toMatchObject({ code: 'wallet_locked' });
    expect(reads).toEqual(['unlockedIdentityKey']);
  });

  it('counts as unlocked while create is still storing the key', async () => {
    const { db, session } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowSession = {
      ...session,
      set: async (key: string, value: string) => (await gate, session.set(key, value)),
    };
    const vault = new Vault(db, slowSession, nobleCrypto, TEST_SCRYPT_COST);
    const creating = vault.create(PASSPHRASE);
    // The options page may ask while the key is on its way to the session area.
    while (!(await db.meta.get('vault'))) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(await vault.state()).toBe('unlocked');
    release();
    await creating;
    expect(await vault.state()).toBe('unlocked');
  });

  it('stays unlocked for a new worker in the same browser session, locked in a new session', async () => {
    const { db, session, vault } = setup();
    await vault.create(PASSPHRASE);
    expect(await new Vault(db, session, nobleCrypto, TEST_SCRYPT_COST).state()).toBe('unlocked');
    expect(await new Vault(db, createMemorySessionArea(), nobleCrypto, TEST_SCRYPT_COST).state()).toBe('locked');
  });
});

describe('idle lock', () => {
  it('locks after the idle time and not before; activity pushes the alarm forward', async () => {
    const { session, vault } = setup();
    const clock = new ManualClock(1_000_000);
    const alarms = new RecordingAlarms();
    const idle = new IdleLock(vault, session, alarms, clock, async () => 5 * 60_000);
    await vault.create(PASSPHRASE);
    await idle.touch();
    expect(alarms.scheduled.get('idle-lock')).toBe(1_000_000 + 5 * 60_000);
    clock.advance(4 * 60_000);
    await idle.touch();
    clock.advance(4 * 60_000);
    expect(await idle.lockIfIdle()).toBe(false);
    expect(await vault.state()).toBe('unlocked');
    clock.advance(60_000);
    expect(await idle.lockIfIdle()).toBe(true);
    expect(await vault.state()).toBe('locked');
  });

  it('writes activity at most once per interval; its own alarm never locks early', async () => {
    const { session, vault } = setup();
    const clock = new ManualClock(1_000_000);
    const alarms = new RecordingAlarms();
    const idle = new IdleLock(vault, session, alarms, clock, async () => 60_000);
    await vault.create(PASSPHRASE);
    await idle.touchNow();
    clock.advance(ACTIVITY_WRITE_INTERVAL_MS - 1);
    await idle.touch();
    // Not written: storage and alarm still show the first activity.
    expect(await session.get('lastActivity_ms')).toBe('1000000');
    expect(alarms.scheduled.get('idle-lock')).toBe(1_000_000 + 60_000);
    // The alarm fires at the written deadline; this worker knows better and moves it.
    clock.advance(60_000 - ACTIVITY_WRITE_INTERVAL_MS + 1);
    expect(await idle.lockIfIdle()).toBe(false);
    expect(alarms.scheduled.get('idle-lock')).toBe(1_000_000 + ACTIVITY_WRITE_INTERVAL_MS - 1 + 60_000);
    clock.advance(ACTIVITY_WRITE_INTERVAL_MS - 1);
    expect(await idle.lockIfIdle()).toBe(true);
  });

  it('writes again once the interval has passed', async () => {
    const { session, vault } = setup();
    const clock = new ManualClock(1_000_000);
    const idle = new IdleLock(vault, session, new RecordingAlarms(), clock, async () => 60_000);
    await vault.create(PASSPHRASE);
    await idle.touch();
    clock.advance(ACTIVITY_WRITE_INTERVAL_MS);
    await idle.touch();
    expect(await session.get('lastActivity_ms')).toBe(String(1_000_000 + ACTIVITY_WRITE_INTERVAL_MS));
  });

  it('a new worker knows only the written activity, so it locks at most one interval early', async () => {
    const { db, session, vault } = setup();
    const clock = new ManualClock(1_000_000);
    const idle = new IdleLock(vault, session, new RecordingAlarms(), clock, async () => 60_000);
    await vault.create(PASSPHRASE);
    await idle.touch();
    clock.advance(ACTIVITY_WRITE_INTERVAL_MS - 1);
    await idle.touch(); // not written
    clock.advance(60_000 - ACTIVITY_WRITE_INTERVAL_MS + 1);
    const restarted = new IdleLock(
      new Vault(db, session, nobleCrypto, TEST_SCRYPT_COST),
      session,
      new RecordingAlarms(),
      clock,
      async () => 60_000,
    );
    expect(await restarted.lockIfIdle()).toBe(true);
  });
});
