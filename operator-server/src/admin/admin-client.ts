// Typed client of the admin API, for the CLI, the demo world and the tests.

import { callRoute, type HttpTransport } from '@opentab/protocol';
import type { RequestOf, ResponseOf } from '@opentab/protocol';
import { ADMIN_API } from '../http/admin-api';

type AdminRoute = keyof typeof ADMIN_API;

export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    /** How to reach the operator; default fetch. An operator with a private CA needs one that trusts it. */
    private readonly transport?: HttpTransport,
  ) {}

  call<R extends AdminRoute>(
    route: R,
    body: RequestOf<(typeof ADMIN_API)[R]>,
    pathParams: Record<string, string> = {},
    query: Record<string, string> = {},
  ): Promise<ResponseOf<(typeof ADMIN_API)[R]>> {
    const search = new URLSearchParams(query).toString();
    const spec = ADMIN_API[route];
    const withQuery = search === '' ? spec : { ...spec, path: `${spec.path}?${search}` };
    return callRoute(this.baseUrl, withQuery as (typeof ADMIN_API)[R], body, {
      headers: { authorization: `Bearer ${this.token}` },
      pathParams,
      ...(this.transport !== undefined ? { transport: this.transport } : {}),
    });
  }
}
