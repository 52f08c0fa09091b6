// Staff logins managed as people need them, over real HTTP: an owner disables a login (its
// sessions end at once) and enables it again, a person changes their own password (the current
// one required; their other sessions end), and failed log-ins lock a login for a while on the
// operator's clock, until the time passes or an owner unlocks it. Each refusal has its stable code
// and changes nothing.

import { describe, expect, it } from 'vitest';
import { MERCHANT_OPERATOR, worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { LOGIN_LOCK_MS, MAX_FAILED_LOGINS } from '../src/staff/staff-sessions';
import { send } from '../testing/http';

let w: TwoOperatorWorld;
worldPerTest((started) => (w = started));

const eu = () => w.world.operator(MERCHANT_OPERATOR);
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'staple tongue orbit';

const asToken = (path: string, body?: unknown) =>
  send(`${eu().url}${path}`, {
    headers: { authorization: `Bearer ${eu().running.context.config.adminToken}` },
    ...(body !== undefined ? { body } : {}),
  });
const asStaff = (cookie: string, path: string, body?: unknown) =>
  send(`${eu().url}${path}`, { headers: { cookie }, ...(body !== undefined ? { body } : {}) });

async function logIn(name: string, password: string) {
  const response = await fetch(`${eu().url}/v1/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  return {
    status: response.status,
    body: await response.json(),
    cookie: response.headers.get('set-cookie')?.split(';')[0] ?? '',
  };
}

const staffNamed = async (name: string) =>
  (await eu().admin.call('listStaff', undefined)).find((account) => account.name === name);
const linesOn = async (subject: string) =>
  (await eu().admin.call('staffActions', undefined)).filter((line) => line.subject === subject);

describe('staff accounts', () => {
  it('are disabled by an owner, their sessions ending at once, and enabled again', async () => {
    expect(await asToken('/v1/admin/staff', { name: 'olive', password: PASSWORD, role: 'owner' })).toMatchObject({
      status: 200,
      body: { name: 'olive', role: 'owner', disabledAt: null, lockedUntil: null },
    });
    const owner = await logIn('olive', PASSWORD);
    expect(owner.body.role).toBe('owner');
    // An owner's session makes staff as the admin token does.
    expect((await asStaff(owner.cookie, '/v1/admin/staff', { name: 'grace', password: PASSWORD })).body.role).toBe(
      'staff',
    );
    const first = await logIn('grace', PASSWORD);
    const second = await logIn('grace', PASSWORD);
    expect((await asStaff(first.cookie, '/v1/admin/merchants')).status).toBe(200);

    // Staff manage no logins, and an owner does not lock themselves out.
    expect(await asStaff(first.cookie, '/v1/admin/staff/olive/disable', {})).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect((await asStaff(owner.cookie, '/v1/admin/staff/olive/disable', {})).body.error.code).toBe('forbidden');
    expect(await asStaff(owner.cookie, '/v1/admin/staff/nobody/disable', {})).toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_staff' } },
    });
    expect((await staffNamed('olive'))?.disabledAt).toBeNull();
    expect(await linesOn('olive')).toEqual([expect.objectContaining({ action: 'createStaff', actor: 'admin' })]);

    const disabled = await asStaff(owner.cookie, '/v1/admin/staff/grace/disable', {});
    expect(disabled).toMatchObject({ status: 200, body: { name: 'grace', disabledAt: expect.any(String) } });
    for (const session of [first, second])
      expect(await asStaff(session.cookie, '/v1/admin/merchants')).toMatchObject({
        status: 401,
        body: { error: { code: 'staff_session_expired' } },
      });
    expect(await logIn('grace', PASSWORD)).toMatchObject({
      status: 403,
      body: { error: { code: 'staff_login_disabled' } },
    });
    // A wrong password tells nothing about the login being disabled.
    expect((await logIn('grace', 'not the password')).body.error.code).toBe('login_failed');
    expect((await linesOn('grace')).map((line) => [line.action, line.actor])).toEqual([
      ['disableStaff', 'olive'],
      ['createStaff', 'olive'],
    ]);

    expect((await asToken('/v1/admin/staff/grace/enable', {})).body.disabledAt).toBeNull();
    const again = await logIn('grace', PASSWORD);
    expect((await asStaff(again.cookie, '/v1/admin/merchants')).status).toBe(200);
    // The sessions ended by the disabling stay ended.
    expect((await asStaff(first.cookie, '/v1/admin/merchants')).status).toBe(401);
  });

  it('change their own password with the current one, ending their other sessions', async () => {
    await asToken('/v1/admin/staff', { name: 'grace', password: PASSWORD });
    const here = await logIn('grace', PASSWORD);
    const elsewhere = await logIn('grace', PASSWORD);

    expect(
      await asStaff(here.cookie, '/v1/admin/session/password', { current: 'not the password', password: NEW_PASSWORD }),
    ).toMatchObject({ status: 403, body: { error: { code: 'current_password_wrong' } } });
    expect(
      (await asStaff(here.cookie, '/v1/admin/session/password', { current: PASSWORD, password: 'short' })).body.error
        .code,
    ).toBe('invalid_message');
    expect(
      (await asToken('/v1/admin/session/password', { current: PASSWORD, password: NEW_PASSWORD })).body.error.code,
    ).toBe('forbidden');
    // Refused, nothing changed: the old password and the other session still work.
    expect((await asStaff(elsewhere.cookie, '/v1/admin/merchants')).status).toBe(200);
    expect((await logIn('grace', PASSWORD)).status).toBe(200);
    expect(await linesOn('grace')).toHaveLength(1);

    const changed = await asStaff(here.cookie, '/v1/admin/session/password', {
      current: PASSWORD,
      password: NEW_PASSWORD,
    });
    expect(changed).toMatchObject({ status: 200, body: { name: 'grace', sessionsEnded: 2 } });
    expect((await asStaff(here.cookie, '/v1/admin/merchants')).status).toBe(200);
    expect((await asStaff(elsewhere.cookie, '/v1/admin/merchants')).body.error.code).toBe('staff_session_expired');
    expect((await logIn('grace', PASSWORD)).body.error.code).toBe('login_failed');
    expect((await logIn('grace', NEW_PASSWORD)).status).toBe(200);
    const [line] = await linesOn('grace');
    expect(line).toMatchObject({ action: 'changePassword', actor: 'grace' });
    expect(line?.detail).not.toContain(PASSWORD);
    expect(line?.detail).not.toContain(NEW_PASSWORD);
  });

  it('lock after repeated failed log-ins, until the time passes or an owner unlocks them', async () => {
    await asToken('/v1/admin/staff', { name: 'grace', password: PASSWORD });
    // A success starts the count again.
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) expect((await logIn('grace', 'wrong guess')).status).toBe(401);
    expect((await staffNamed('grace'))?.failedLogins).toBe(MAX_FAILED_LOGINS - 1);
    expect((await logIn('grace', PASSWORD)).status).toBe(200);
    expect((await staffNamed('grace'))?.failedLogins).toBe(0);

    for (let i = 1; i < MAX_FAILED_LOGINS; i++)
      expect((await logIn('grace', 'wrong guess')).body.error.code).toBe('login_failed');
    expect(await logIn('grace', 'wrong guess')).toMatchObject({
      status: 429,
      body: { error: { code: 'staff_login_locked' } },
    });
    // Locked: the right password opens nothing either.
    expect((await logIn('grace', PASSWORD)).body.error.code).toBe('staff_login_locked');
    const locked = await staffNamed('grace');
    expect(Date.parse(locked!.lockedUntil!)).toBe(w.clock.now_ms() + LOGIN_LOCK_MS);

    w.clock.advance(LOGIN_LOCK_MS - 1);
    expect((await logIn('grace', PASSWORD)).body.error.code).toBe('staff_login_locked');
    w.clock.advance(1);
    expect((await logIn('grace', PASSWORD)).status).toBe(200);
    expect((await staffNamed('grace'))?.lockedUntil).toBeNull();

    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await logIn('grace', 'wrong guess');
    expect((await logIn('grace', PASSWORD)).body.error.code).toBe('staff_login_locked');
    expect(await asToken('/v1/admin/staff/grace/unlock', {})).toMatchObject({
      status: 200,
      body: { lockedUntil: null, failedLogins: 0 },
    });
    expect((await logIn('grace', PASSWORD)).status).toBe(200);
    expect((await linesOn('grace')).map((line) => line.action)).toEqual(['unlockStaff', 'createStaff']);
  });
  it('answer a name that has no login exactly as a login, lock included, so no name shows it exists', async () => {
    await asToken('/v1/admin/staff', { name: 'grace', password: PASSWORD });
    const answersTo = async (name: string) => {
      const answers: unknown[] = [];
      for (let i = 0; i <= MAX_FAILED_LOGINS; i++) {
        const { status, body } = await logIn(name, 'wrong guess');
        answers.push({ status, error: body.error });
      }
      return answers;
    };
    const login = await answersTo('grace');
    expect(login.at(-1)).toMatchObject({ status: 429, error: { code: 'staff_login_locked' } });
    expect(await answersTo('nobody')).toEqual(login);
    w.clock.advance(LOGIN_LOCK_MS);
    expect((await logIn('nobody', 'wrong guess')).body.error.code).toBe('login_failed');
    expect((await logIn('grace', 'wrong guess')).body.error.code).toBe('login_failed');
  });
});
