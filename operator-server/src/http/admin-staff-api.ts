// Per-person logins to the console besides the admin token: the operator's staff log in with a
// name and a password and get a session cookie (HttpOnly, SameSite=Strict, ending after
// STAFF_SESSION_LIFETIME_MS); every admin route takes that cookie as it takes the token, and every
// change is kept with who made it.

import * as v from 'valibot';
import { SMALL_BODY_BYTES, route } from '@opentab/protocol';
import { Timestamp } from '@opentab/protocol';

export const StaffName = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9._-]{1,31}$/, 'must be 2-32 of a-z, 0-9, . _ -'));
/** Long enough to resist guessing; the upper bound only keeps scrypt's input small. */
export const StaffPassword = v.pipe(v.string(), v.minLength(12), v.maxLength(256));

export const LoginRequest = v.strictObject({
  name: v.pipe(v.string(), v.maxLength(64)),
  password: v.pipe(v.string(), v.maxLength(256)),
});
export const StaffRole = v.picklist(['owner', 'staff']);

export const SessionView = v.strictObject({
  /** The staff member, or `admin` for the admin token. */
  name: v.string(),
  /** What the login may do; the admin token does what an owner does. */
  role: StaffRole,
  /** When the session ends; null for the admin token. */
  expiresAt: v.nullable(Timestamp),
});

export const StaffAccountView = v.strictObject({
  name: StaffName,
  /** An owner manages the other logins; staff work the business. */
  role: StaffRole,
  createdAt: Timestamp,
  /** When an owner disabled the login; null while it may log in. */
  disabledAt: v.nullable(Timestamp),
  /** Until when too many failed log-ins lock it; null when not locked. */
  lockedUntil: v.nullable(Timestamp),
  /** Failed log-ins since the last success, unlock or lock. */
  failedLogins: v.pipe(v.number(), v.integer()),
});

export const PasswordChange = v.strictObject({
  current: v.pipe(v.string(), v.maxLength(256)),
  password: StaffPassword,
});

export const StaffActionView = v.strictObject({
  at: Timestamp,
  actor: v.string(),
  action: v.string(),
  subject: v.string(),
  detail: v.string(),
});

const admin = { auth: 'admin-token' as const, maxBody_bytes: SMALL_BODY_BYTES };
const read = { ...admin, request: null, maxBody_bytes: 0 } as const;

export const STAFF_SESSION_API = {
  staffLogin: route({
    method: 'POST',
    path: '/v1/staff/login',
    summary:
      'Log a staff member in to the console: answers with a session cookie (HttpOnly, SameSite=Strict); login_failed for a wrong name or password alike.',
    auth: 'public',
    request: LoginRequest,
    response: SessionView,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  staffLogout: route({
    method: 'POST',
    path: '/v1/staff/logout',
    summary: "End the session of the request's cookie, and clear the cookie.",
    auth: 'public',
    request: v.strictObject({}),
    response: v.strictObject({ loggedOut: v.boolean() }),
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
} as const;

export const ADMIN_STAFF_API = {
  whoAmI: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/session',
    summary: 'Who the request acts as: the staff member of its session cookie, or admin for the admin token.',
    response: SessionView,
  }),
  createStaff: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/staff',
    summary:
      'Create a staff login with a password (kept as an scrypt hash) and a role (staff unless named). Only for an owner or the admin token.',
    request: v.strictObject({ name: StaffName, password: StaffPassword, role: v.optional(StaffRole) }),
    response: StaffAccountView,
  }),
  listStaff: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/staff',
    summary: 'The staff logins, disabled ones too, each with whether it is locked.',
    response: v.array(StaffAccountView),
  }),
  disableStaff: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/staff/{name}/disable',
    summary:
      "Disable a staff login: it can no longer log in, and its sessions end at once. Only for an owner or the admin token; not one's own login.",
    request: v.strictObject({}),
    response: StaffAccountView,
  }),
  enableStaff: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/staff/{name}/enable',
    summary: 'Let a disabled staff login log in again. Only for an owner or the admin token.',
    request: v.strictObject({}),
    response: StaffAccountView,
  }),
  unlockStaff: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/staff/{name}/unlock',
    summary:
      'End the lock that failed log-ins put on a staff login, and forget those failures. Only for an owner or the admin token.',
    request: v.strictObject({}),
    response: StaffAccountView,
  }),
  changePassword: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/session/password',
    summary:
      "Change the logged-in staff member's own password: the current one is required (a wrong one counts as a failed log-in); their other sessions end.",
    request: PasswordChange,
    response: v.strictObject({ name: StaffName, sessionsEnded: v.pipe(v.number(), v.integer()) }),
  }),
  staffActions: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/staff/actions',
    summary: 'The latest changes made through the admin API, each with who made it.',
    response: v.array(StaffActionView),
  }),
} as const;
