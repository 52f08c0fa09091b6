// A route is one HTTP operation with its request and response schemas: the same object drives
// the server's validation, the clients' typed calls and the OpenAPI document, so none can drift.

import type * as v from 'valibot';

export type RouteAuth =
  /** Anyone may call; the body (if any) is still validated. */
  | 'public'
  /** Signed by the customer's identity key (or, for enrolment, by the key being enrolled). */
  | 'customer-signature'
  /** Signed by the tab key named in the customer certificate. */
  | 'tab-signature'
  /** Signed by a peer operator whose CA certificate travels in the payload. */
  | 'operator-signature'
  /** Signed by a registered merchant's key. */
  | 'merchant-signature'
  /** Signed by the key of an arbiter the operator is configured to answer (secure delivery's key release). */
  | 'arbiter-signature'
  /** Bearer token of the operator's administrators. */
  | 'admin-token';

export interface RouteSpec<
  Req extends v.GenericSchema | null = v.GenericSchema | null,
  Res extends v.GenericSchema = v.GenericSchema,
> {
  readonly method: 'GET' | 'POST';
  /** Path with `{param}` placeholders, as in OpenAPI. */
  readonly path: string;
  readonly summary: string;
  readonly auth: RouteAuth;
  readonly request: Req;
  readonly response: Res;
  /** Query parameters of a GET route, as a schema over a string record. */
  readonly query?: v.GenericSchema;
  /** Largest accepted body; every route has one. */
  readonly maxBody_bytes: number;
}

export function route<Req extends v.GenericSchema | null, Res extends v.GenericSchema>(
  spec: RouteSpec<Req, Res>,
): RouteSpec<Req, Res> {
  return spec;
}

export type RequestOf<R> =
  R extends RouteSpec<infer Req, v.GenericSchema>
    ? Req extends v.GenericSchema
      ? v.InferOutput<Req>
      : undefined
    : never;
export type ResponseOf<R> = R extends RouteSpec<v.GenericSchema | null, infer Res> ? v.InferOutput<Res> : never;

export const SMALL_BODY_BYTES = 16 * 1024;
export const LARGE_BODY_BYTES = 256 * 1024;
