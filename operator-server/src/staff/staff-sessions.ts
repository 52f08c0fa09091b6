// Logging the operator's staff in and out of the console: a name and a password (scrypt), then a
// random session token in an HttpOnly, SameSite=Strict cookie that ends after a fixed time on
// the operator's clock, or at log-out. Only the token's SHA-256 is stored, so a copy of the file
// opens no session.

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OpentabError } from '@opentab/protocol';
import { hashPassword, passwordMatches, UNKNOWN_NAME_HASH } from './passwords';
import type { StaffStore } from './staff-store';

export const STAFF_COOKIE = 'opentab_staff';
/** A working day: a forgotten console does not stay open overnight. */
export const STAFF_SESSION_LIFETIME_MS = 8 * 3600 * 1000;

const tokenHashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

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

export class StaffSessions {
  constructor(private readonly store: StaffStore) {}

  async createAccount(name: string, password: string, now_ms: number): Promise<void> {
    const created = this.store.createAccount(name, await hashPassword(password), now_ms);
    if (!created) throw new OpentabError('conflict', `There is already a staff account named ${name}.`);
  }

  /** A new session for the right name and password; the same refusal for a wrong name as for a wrong password. */
  async logIn(name: string, password: string, now_ms: number): Promise<{ token: string; expiresAt_ms: number }> {
    const account = this.store.account(name);
    const matches = await passwordMatches(password, account?.passwordHash ?? UNKNOWN_NAME_HASH);
    if (account === null || !matches) throw new OpentabError('login_failed');
    const token = randomBytes(32).toString('base64url');
    const expiresAt_ms = now_ms + STAFF_SESSION_LIFETIME_MS;
    this.store.startSession(tokenHashOf(token), account.name, now_ms, expiresAt_ms);
    return { token, expiresAt_ms };
  }

  /** Whose session the token opens now; a refusal when it is unknown, ended or expired. */
  authenticate(token: string, now_ms: number): { name: string; expiresAt_ms: number } {
    const session = this.store.session(tokenHashOf(token));
    if (session === null || session.endedAt !== null || session.expiresAt <= now_ms)
      throw new OpentabError('staff_session_expired');
    // An account disabled since ends its sessions too.
    if (this.store.account(session.name) === null) throw new OpentabError('staff_session_expired');
    return { name: session.name, expiresAt_ms: session.expiresAt };
  }

  logOut(token: string, now_ms: number): void {
    this.store.endSession(tokenHashOf(token), now_ms);
  }
}
