// Handlers of the staff's logins and accounts (admin-staff-api.ts), and the record of who changed
// what: every admin route that changes something keeps its line in the staff log, written in the
// same storage transaction as the change (staff/staff-log.ts).

import type { IncomingMessage } from 'node:http';
import type * as v from 'valibot';
import { formatTimestamp, OpentabError, type RouteSpec } from '@opentab/protocol';
import { bind, type RouteBinding } from '@opentab/server-kit';
import { ADMIN_STAFF_API, STAFF_SESSION_API, type StaffAccountView } from '../http/admin-staff-api';
import type { OperatorContext } from '../operator-context';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import { ADMIN_TOKEN_ACTOR, actorOf } from '../staff/actor';
import { hashPassword } from '../staff/passwords';
import { setAnswerHeader } from '../staff/response-of';
import { changeWithLogLine, expectLogLine, logLineWritten } from '../staff/staff-log';
import { clearedSessionCookie, isLocked, sessionCookie, sessionTokenOf, tokenHashOf } from '../staff/staff-sessions';
import type { StaffAccount, StaffRole } from '../staff/staff-store';

const secureCookies = (context: OperatorContext) => new URL(context.config.publicUrl).protocol === 'https:';

function accountView(account: StaffAccount, now_ms: number): v.InferOutput<typeof StaffAccountView> {
  return {
    name: account.name,
    role: account.role,
    createdAt: formatTimestamp(account.createdAt),
    disabledAt: account.disabledAt === null ? null : formatTimestamp(account.disabledAt),
    lockedUntil: isLocked(account, now_ms) ? formatTimestamp(account.lockedUntil!) : null,
    failedLogins: account.failedLogins,
  };
}

/** The role the request acts with: the admin token's is an owner's. */
async function roleOf(tx: Pick<OperatorStoreTransaction, 'staff'>, actor: string): Promise<StaffRole | null> {
  if (actor === ADMIN_TOKEN_ACTOR) return 'owner';
  return (await tx.staff.account(actor))?.role ?? null;
}

async function requireOwner(tx: OperatorStoreTransaction, request: IncomingMessage): Promise<void> {
  if ((await roleOf(tx, actorOf(request))) !== 'owner')
    throw new OpentabError('forbidden', 'Only an owner (or the admin token) manages staff logins.');
}

async function requireAccount(tx: OperatorStoreTransaction, name: string): Promise<StaffAccount> {
  const account = await tx.staff.account(name);
  if (account === null) throw new OpentabError('unknown_staff', `There is no staff login named ${name}.`);
  return account;
}

export function staffBindings(context: OperatorContext): RouteBinding[] {
  const { sessions } = context.staff;
  const api = ADMIN_STAFF_API;

  /** An owner's change to another login, kept with its log line; answers the login as it is after. */
  const ownerChange = (
    request: IncomingMessage,
    name: string,
    now_ms: number,
    change: (tx: OperatorStoreTransaction, account: StaffAccount) => Promise<void>,
  ) =>
    changeWithLogLine(context, request, async (tx) => {
      await requireOwner(tx, request);
      await change(tx, await requireAccount(tx, name));
      return accountView(await requireAccount(tx, name), now_ms);
    });

  return [
    bind(STAFF_SESSION_API.staffLogin, async (body, { now_ms, request }) => {
      try {
        const session = await sessions.logIn(body.name, body.password, now_ms);
        setAnswerHeader(request, 'set-cookie', sessionCookie(session.token, secureCookies(context)));
        context.log.info('staff.login', { name: body.name });
        return { name: body.name, role: session.role, expiresAt: formatTimestamp(session.expiresAt_ms) };
      } catch (error) {
        if (error instanceof OpentabError)
          context.log.warn('staff.login-refused', { name: body.name, code: error.code });
        throw error;
      }
    }),

    bind(STAFF_SESSION_API.staffLogout, async (_, { now_ms, request }) => {
      const token = sessionTokenOf(request);
      setAnswerHeader(request, 'set-cookie', clearedSessionCookie(secureCookies(context)));
      if (token === null) return { loggedOut: false };
      await sessions.logOut(token, now_ms);
      return { loggedOut: true };
    }),

    bind(api.whoAmI, async (_, { now_ms, request }) => {
      const actor = actorOf(request);
      const token = sessionTokenOf(request);
      if (actor === ADMIN_TOKEN_ACTOR || token === null)
        return { name: actor, role: 'owner' as const, expiresAt: null };
      const session = await sessions.authenticate(token, now_ms);
      return {
        name: actor,
        role: (await roleOf(context.storage, actor)) ?? 'staff',
        expiresAt: formatTimestamp(session.expiresAt_ms),
      };
    }),

    bind(api.createStaff, async (body, { now_ms, request }) => {
      const passwordHash = await hashPassword(body.password);
      const role = body.role ?? 'staff';
      const created = await changeWithLogLine(
        context,
        request,
        async (tx) => {
          await requireOwner(tx, request);
          if (!(await tx.staff.createAccount(body.name, role, passwordHash, now_ms)))
            throw new OpentabError('conflict', `There is already a staff login named ${body.name}.`);
          return accountView(await requireAccount(tx, body.name), now_ms);
        },
        body.name,
      );
      context.log.info('staff.created', { name: body.name, role });
      return created;
    }),

    bind(api.listStaff, async (_, { now_ms }) =>
      (await context.storage.staff.accounts()).map((account) => accountView(account, now_ms)),
    ),

    bind(api.staffActions, async () =>
      (await context.storage.staff.recentActions(200)).map((action) => ({ ...action, at: formatTimestamp(action.at) })),
    ),

    bind(api.disableStaff, async (_, { params, now_ms, request }) => {
      const name = params.name!;
      if (name === actorOf(request))
        throw new OpentabError('forbidden', 'An owner cannot disable their own login; another owner can.');
      const disabled = await ownerChange(request, name, now_ms, async (tx, account) => {
        if (account.disabledAt === null) await tx.staff.setDisabled(name, now_ms);
        // Its sessions end with the change, not at their next request: nothing it sent after counts.
        await tx.staff.endSessionsOf(name, now_ms, null);
      });
      context.log.warn('staff.disabled', { name, by: actorOf(request) });
      return disabled;
    }),

    bind(api.enableStaff, (_, { params, now_ms, request }) =>
      ownerChange(request, params.name!, now_ms, async (tx) => {
        await tx.staff.setDisabled(params.name!, null);
      }),
    ),

    bind(api.unlockStaff, (_, { params, now_ms, request }) =>
      ownerChange(request, params.name!, now_ms, async (tx) => {
        await tx.staff.clearFailedLogins(params.name!);
      }),
    ),

    bind(api.changePassword, async (body, { now_ms, request }) => {
      const name = actorOf(request);
      const token = sessionTokenOf(request);
      if (name === ADMIN_TOKEN_ACTOR || token === null)
        throw new OpentabError(
          'forbidden',
          'The admin token has no password; log in as a staff member to change yours.',
        );
      const passwordHash = await sessions.checkPasswordChange(name, body.current, body.password, now_ms);
      const changed = await changeWithLogLine(
        context,
        request,
        async (tx) => {
          await tx.staff.setPasswordHash(name, passwordHash);
          // Whoever else holds a session of this login loses it; the person changing it stays in.
          return { name, sessionsEnded: await tx.staff.endSessionsOf(name, now_ms, tokenHashOf(token)) };
        },
        name,
      );
      context.log.info('staff.password-changed', { name, sessionsEnded: changed.sessionsEnded });
      return changed;
    }),
  ];
}

/** Names a change's subject: the id in its path (account, merchant, dispute, peer…), or the operator itself. */
function subjectOf(params: Readonly<Record<string, string>>): string {
  return Object.values(params)[0] ?? 'operator';
}

/** What a change asked for, without secrets. */
function detailOf(body: unknown): string {
  if (body === null || typeof body !== 'object') return '';
  const { password: _password, current: _current, certificate, ...rest } = body as Record<string, unknown>;
  const shown = certificate === undefined ? rest : { ...rest, certificate: '(certificate)' };
  return JSON.stringify(shown);
}

/**
 * Keeps every successful change made through these admin routes in the staff log, with who made
 * it: the handler commits its change and the line together (changeWithLogLine). Reads are not kept.
 */
export function recordingActions(
  context: OperatorContext,
  bindings: readonly RouteBinding[],
  names: ReadonlyMap<RouteSpec, string>,
): RouteBinding[] {
  return bindings.map((binding) => {
    if (binding.spec.method === 'GET' || binding.spec.auth !== 'admin-token') return binding;
    const action = names.get(binding.spec) ?? binding.spec.path;
    return {
      ...binding,
      handle: async (body, handlerContext) => {
        const request = handlerContext.request as IncomingMessage;
        const line = {
          at: handlerContext.now_ms,
          actor: actorOf(request),
          action,
          subject: subjectOf(handlerContext.params),
          detail: detailOf(body),
        };
        expectLogLine(request, line);
        const result = await binding.handle(body, handlerContext);
        // A defect, not a refusal: the change is committed by now, so say loudly that its line is missing.
        if (!logLineWritten(request)) context.log.warn('staff.change-without-log-line', { action: line.action });
        return result;
      },
    };
  });
}
