// Logging the operator's staff in and out of the console: a name and a password (scrypt), then a
// random session token in an HttpOnly, SameSite=Strict cookie that ends after a fixed time on
// the operator's clock, at log-out, when the person changes their password (their other sessions),
// or when an owner disables the login. Only the token's SHA-256 is stored, so a copy of the file
// opens no session. Failed log-ins are counted per login in the store: MAX_FAILED_LOGINS in a row
// lock the login for LOGIN_LOCK_MS on the operator's clock, or until an owner unlocks it; a name
// without a login locks the same way (unknown-name-lock.ts).

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { formatTimestamp, OpentabError } from '@opentab/protocol';
import type { OperatorStorage } from '../store/operator-storage';
import { hashPassword, passwordMatches, UNKNOWN_NAME_HASH } from './passwords';
import type { StaffAccount, StaffRole } from './staff-store';
import { UnknownNameLock } from './unknown-name-lock';

export const STAFF_COOKIE = 'opentab_staff';
/** A working day: a forgotten console does not stay open overnight. */
export const STAFF_SESSION_LIFETIME_MS = 8 * 3600 * 1000;
/** Enough for a person's typos; far too few for a guesser. */
export const MAX_FAILED_LOGINS = 5;
/** Long enough to make guessing hopeless, short enough that a locked-out person waits it out. */
export const LOGIN_LOCK_MS = 15 * 60 * 1000;

export const tokenHashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The session token the request's cookie carries, if any. */
export function sessionTokenOf(request: IncomingMessage): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === STAFF_COOKIE) return value.join('=');
  }
  return null;
}

export function sessionCookie(token: string, secure: boolean): string {
  return `${STAFF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${STAFF_SESSION_LIFETIME_MS / 1000}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${STAFF_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** Whether failed log-ins keep the account locked at `now_ms`. */
export function isLocked(account: Pick<StaffAccount, 'lockedUntil'>, now_ms: number): boolean {
  return account.lockedUntil !== null && account.lockedUntil > now_ms;
}

function lockedError(lockedUntil_ms: number): OpentabError {
  return new OpentabError(
    'staff_login_locked',
    `Too many failed log-ins: this login is locked until ${formatTimestamp(lockedUntil_ms)}, or until an owner unlocks it.`,
  );
}

export class StaffSessions {
  /** A name without a login locks as a login does, so a lock tells no one which names exist. */
  private readonly unknownNames = new UnknownNameLock(MAX_FAILED_LOGINS, LOGIN_LOCK_MS);

  constructor(private readonly storage: OperatorStorage) {}

  /**
   * A new session for the right name and password; the same refusals for a wrong name as for a
   * wrong password, a lock included. A disabled login is told so only once the password was right.
   */
  async logIn(
    name: string,
    password: string,
    now_ms: number,
  ): Promise<{ token: string; expiresAt_ms: number; role: StaffRole }> {
    const account = await this.storage.staff.account(name);
    const lockedUntil_ms =
      account === null
        ? this.unknownNames.lockedUntil(name, now_ms)
        : isLocked(account, now_ms)
          ? account.lockedUntil
          : null;
    // Checked whatever the answer will be, so that how long it takes tells nothing either.
    const matches = await passwordMatches(password, account?.passwordHash ?? UNKNOWN_NAME_HASH);
    if (lockedUntil_ms !== null) throw lockedError(lockedUntil_ms);
    if (account === null) {
      const lockedNow_ms = this.unknownNames.countFailure(name, now_ms);
      if (lockedNow_ms !== null) throw lockedError(lockedNow_ms);
      throw new OpentabError('login_failed');
    }
    if (!matches) {
      const failed = await this.storage.staff.countFailedLogin(name, MAX_FAILED_LOGINS, now_ms + LOGIN_LOCK_MS);
      if (failed !== null && isLocked(failed, now_ms)) throw lockedError(failed.lockedUntil!);
      throw new OpentabError('login_failed');
    }
    if (account.disabledAt !== null) throw new OpentabError('staff_login_disabled');
    const token = randomBytes(32).toString('base64url');
    const expiresAt_ms = now_ms + STAFF_SESSION_LIFETIME_MS;
    await this.storage.transaction(async (tx) => {
      await tx.staff.clearFailedLogins(account.name);
      await tx.staff.startSession(tokenHashOf(token), account.name, now_ms, expiresAt_ms);
    });
    return { token, expiresAt_ms, role: account.role };
  }

  /** Whose session the token opens now; a refusal when it is unknown, ended or expired, or its login disabled. */
  async authenticate(token: string, now_ms: number): Promise<{ name: string; expiresAt_ms: number }> {
    const { session, account } = await this.storage.transaction(async (tx) => {
      const session = await tx.staff.session(tokenHashOf(token));
      return { session, account: session === null ? null : await tx.staff.account(session.name) };
    });
    if (session === null || session.endedAt !== null || session.expiresAt <= now_ms)
      throw new OpentabError('staff_session_expired');
    if (account === null || account.disabledAt !== null) throw new OpentabError('staff_session_expired');
    return { name: session.name, expiresAt_ms: session.expiresAt };
  }

  async logOut(token: string, now_ms: number): Promise<void> {
    await this.storage.staff.endSession(tokenHashOf(token), now_ms);
  }

  /**
   * Checks the person's current password before a change of it: a wrong one counts as a failed
   * log-in (a session left open is no way around the lock). Answers the new password's hash.
   */
  async checkPasswordChange(name: string, current: string, next: string, now_ms: number): Promise<string> {
    const account = await this.storage.staff.account(name);
    if (account === null) throw new OpentabError('forbidden', 'Only a staff login has a password to change.');
    if (isLocked(account, now_ms)) throw lockedError(account.lockedUntil!);
    if (!(await passwordMatches(current, account.passwordHash))) {
      const failed = await this.storage.staff.countFailedLogin(name, MAX_FAILED_LOGINS, now_ms + LOGIN_LOCK_MS);
      if (failed !== null && isLocked(failed, now_ms)) throw lockedError(failed.lockedUntil!);
      throw new OpentabError('current_password_wrong');
    }
    if (current === next)
      throw new OpentabError('invalid_message', 'The new password must differ from the current one.', [
        'password: same as the current one',
      ]);
    return hashPassword(next);
  }
}
