// Who may use the merchant's admin API and dashboard: the logins of the agent's configuration,
// each a name, a bearer token and a role. A presented token is compared with every login's in
// constant time (as SHA-256 digests, so neither a token's length nor where it differs shows in
// the time taken); no token or an unknown one is `unauthorized` (401), a viewer asking for an
// owner's action `forbidden` (403).

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OpentabError } from '@opentab/protocol';

export type AdminRole = 'owner' | 'viewer';

export interface AdminLogin {
  readonly name: string;
  /** At least 32 characters; the dashboard's login asks for it. */
  readonly token: string;
  /** 'owner' may refund and edit the catalogue; 'viewer' reads. */
  readonly role: AdminRole;
}

export const MIN_ADMIN_TOKEN_LENGTH = 32;

const digestOf = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export class AdminLogins {
  private readonly logins: ReadonlyArray<{ readonly login: AdminLogin; readonly digest: Buffer }>;

  constructor(logins: readonly AdminLogin[]) {
    this.logins = logins.map((login) => ({ login, digest: digestOf(login.token) }));
  }

  get enabled(): boolean {
    return this.logins.length > 0;
  }

  /** The login whose token the request's `Authorization: Bearer` header carries, or a refusal. */
  authenticate(request: IncomingMessage): AdminLogin {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Bearer '))
      throw new OpentabError('unauthorized', "This needs the bearer token of one of the merchant's logins.");
    const presented = digestOf(header.slice('Bearer '.length));
    let found: AdminLogin | null = null;
    // Every login is compared, found or not: the time taken does not say which one matched.
    for (const { login, digest } of this.logins) if (timingSafeEqual(presented, digest)) found ??= login;
    if (found === null)
      throw new OpentabError('unauthorized', "That is not the token of one of this merchant's logins.");
    return found;
  }

  /** As authenticate, and refuses a viewer when the action is an owner's. */
  authorize(request: IncomingMessage, ownersOnly: boolean): AdminLogin {
    const login = this.authenticate(request);
    if (ownersOnly && login.role !== 'owner')
      throw new OpentabError(
        'forbidden',
        `${login.name} may look, not change: refunds and catalogue edits need an owner.`,
      );
    return login;
  }
}
