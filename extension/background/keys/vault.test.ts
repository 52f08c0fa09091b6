import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../../../protocol/crypto/noble';
import { toBase64url } from '../../../protocol/encoding/base64url';
import { createMemoryDatabase } from '../storage/memory-database';
import { createMemorySessionArea } from '../storage/session-area';
import { ManualClock, RecordingAlarms, TEST_SCRYPT_COST } from '../testing/test-ports';
import { IdleLock } from './idle-lock';
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
});
