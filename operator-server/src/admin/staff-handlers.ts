// Handlers of the staff's logins and accounts (admin-staff-api.ts), and the record of who changed
// what: every admin route that changes something is kept in the staff log with its actor.

import type { IncomingMessage } from 'node:http';
import { formatTimestamp, OpentabError, type RouteSpec } from '@opentab/protocol';
import { bind, type RouteBinding } from '@opentab/server-kit';
import { ADMIN_STAFF_API, STAFF_SESSION_API } from '../http/admin-staff-api';
import type { OperatorContext } from '../operator-context';
import { ADMIN_TOKEN_ACTOR, actorOf } from '../staff/actor';
import { setAnswerHeader } from '../staff/response-of';
import { clearedSessionCookie, sessionCookie, sessionTokenOf } from '../staff/staff-sessions';

const secureCookies = (context: OperatorContext) => new URL(context.config.publicUrl).protocol === 'https:';

export function staffBindings(context: OperatorContext): RouteBinding[] {
  const { sessions, store } = context.staff;
  return [
    bind(STAFF_SESSION_API.staffLogin, async (body, { now_ms, request }) => {
      try {
        const session = await sessions.logIn(body.name, body.password, now_ms);
        setAnswerHeader(request, 'set-cookie', sessionCookie(session.token, secureCookies(context)));
        context.log.info('staff.login', { name: body.name });
        return { name: body.name, expiresAt: formatTimestamp(session.expiresAt_ms) };
      } catch (error) {
        if (error instanceof OpentabError) context.log.warn('staff.login-refused', { name: body.name });
        throw error;
      }
    }),

    bind(STAFF_SESSION_API.staffLogout, (_, { now_ms, request }) => {
      const token = sessionTokenOf(request);
      setAnswerHeader(request, 'set-cookie', clearedSessionCookie(secureCookies(context)));
      if (token === null) return { loggedOut: false };
      sessions.logOut(token, now_ms);
      return { loggedOut: true };
    }),

    bind(ADMIN_STAFF_API.whoAmI, (_, { now_ms, request }) => {
      const actor = actorOf(request);
      const token = sessionTokenOf(request);
      if (actor === ADMIN_TOKEN_ACTOR || token === null) return { name: actor, expiresAt: null };
      return { name: actor, expiresAt: formatTimestamp(sessions.authenticate(token, now_ms).expiresAt_ms) };
    }),

    bind(ADMIN_STAFF_API.createStaff, async (body, { now_ms, request }) => {
      if (actorOf(request) !== ADMIN_TOKEN_ACTOR)
        throw new OpentabError('forbidden', 'Only the admin token creates staff accounts.');
      await sessions.createAccount(body.name, body.password, now_ms);
      context.log.info('staff.created', { name: body.name });
      return { name: body.name, createdAt: formatTimestamp(now_ms) };
    }),

    bind(ADMIN_STAFF_API.listStaff, () =>
      store.accounts().map((account) => ({ name: account.name, createdAt: formatTimestamp(account.createdAt) })),
    ),

    bind(ADMIN_STAFF_API.staffActions, () =>
      store.recentActions(200).map((action) => ({ ...action, at: formatTimestamp(action.at) })),
    ),
  ];
}

/** Names a change's subject: the id in its path (account, merchant, dispute, peer…), or the operator itself. */
function subjectOf(params: Readonly<Record<string, string>>): string {
  return Object.values(params)[0] ?? 'operator';
}

/** What a change asked for, without secrets. */
function detailOf(body: unknown): string {
  if (body === null || typeof body !== 'object') return '';
  const { password: _password, certificate, ...rest } = body as Record<string, unknown>;
  const shown = certificate === undefined ? rest : { ...rest, certificate: '(certificate)' };
  return JSON.stringify(shown);
}

/**
 * Keeps every successful change made through these admin routes in the staff log, with who made
 * it. Reads are not kept. The log line follows the change: a stop between the two loses the line,
 * never the change.
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
        const result = await binding.handle(body, handlerContext);
        context.staff.store.recordAction({
          at: handlerContext.now_ms,
          actor: actorOf(handlerContext.request as IncomingMessage),
          action,
          subject: subjectOf(handlerContext.params),
          detail: detailOf(body),
        });
        return result;
      },
    };
  });
}
