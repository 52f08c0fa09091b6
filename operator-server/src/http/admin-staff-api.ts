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
export const SessionView = v.strictObject({
  /** The staff member, or `admin` for the admin token. */
  name: v.string(),
  /** When the session ends; null for the admin token. */
  expiresAt: v.nullable(Timestamp),
});

export const StaffAccountView = v.strictObject({ name: StaffName, createdAt: Timestamp });

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
    summary: 'Create a staff account with a password (kept as an scrypt hash). Only with the admin token.',
    request: v.strictObject({ name: StaffName, password: StaffPassword }),
    response: StaffAccountView,
  }),
  listStaff: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/staff',
    summary: 'The staff accounts.',
    response: v.array(StaffAccountView),
  }),
  staffActions: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/staff/actions',
    summary: 'The latest changes made through the admin API, each with who made it.',
    response: v.array(StaffActionView),
  }),
} as const;
