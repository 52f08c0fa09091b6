// The staff member an admin request comes from, by its session cookie (the HTTP server takes
// that, or the admin bearer token, for every admin route).

import type { IncomingMessage } from 'node:http';
import type { OperatorContext } from '../operator-context';
import { sessionTokenOf } from './staff-sessions';

/** The staff member whose live session the request's cookie carries; null without one. Throws for an ended session. */
export async function staffOfRequest(context: OperatorContext, request: IncomingMessage): Promise<string | null> {
  const token = sessionTokenOf(request);
  if (token === null) return null;
  return (await context.staff.sessions.authenticate(token, context.clock.now_ms())).name;
}
