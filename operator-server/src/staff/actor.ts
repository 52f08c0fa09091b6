// Who sent an admin request: `admin` for the admin bearer token, or the staff member whose console
// session it carries. The edge's authorisation notes it on the request; handlers read it to keep
// each change with who made it.

import type { IncomingMessage } from 'node:http';

/** The name kept for changes made with the admin token itself. */
export const ADMIN_TOKEN_ACTOR = 'admin';

const actors = new WeakMap<IncomingMessage, string>();

export function noteActor(request: IncomingMessage, actor: string): void {
  actors.set(request, actor);
}

/** The request's actor; a request the edge let through without one came with the admin token. */
export function actorOf(request: IncomingMessage): string {
  return actors.get(request) ?? ADMIN_TOKEN_ACTOR;
}
