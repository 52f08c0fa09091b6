// The answer a request will get, for the few handlers that must add a header to it (the staff
// session cookie). Noted by the HTTP server before any handler runs.

import type { IncomingMessage, ServerResponse } from 'node:http';

const responses = new WeakMap<IncomingMessage, ServerResponse>();

export function noteResponse(request: IncomingMessage, response: ServerResponse): void {
  responses.set(request, response);
}

export function setAnswerHeader(request: IncomingMessage, name: string, value: string): void {
  responses.get(request)?.setHeader(name, value);
}
