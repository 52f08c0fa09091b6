// The merchant's admin API as routes of the agent's HTTP edge, the check of the login each one
// needs, and what lives beside the JSON routes: the purchases as CSV and the dashboard's files.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { OpentabError, type RouteSpec } from '@opentab/protocol';
import { bind, sendError } from '@opentab/server-kit';
import type { AgentRoute } from '../http/handler';
import { MERCHANT_ADMIN_API, OWNER_ROUTES, PURCHASES_CSV_PATH } from './admin-api';
import type { AdminLogins } from './admin-logins';
import type { AdminService } from './admin-service';
import { serveDashboard } from './dashboard-files';

const api = MERCHANT_ADMIN_API;
const OWNER_SPECS: ReadonlySet<RouteSpec> = new Set([...OWNER_ROUTES].map((name) => api[name]));

export interface MerchantIdentity {
  readonly merchantId: string;
  readonly displayName: string;
  readonly currency: string;
}

/** Logins are checked by the edge (authorizeAdmin) before a body is read; a handler that acts names who acts. */
export function adminRoutes(service: AdminService, logins: AdminLogins, merchant: MerchantIdentity): AgentRoute[] {
  const as = (request: IncomingMessage, spec: RouteSpec) => logins.authorize(request, OWNER_SPECS.has(spec));
  return [
    bind(api.whoAmI, (_, { request }) => {
      const login = logins.authenticate(request);
      return { name: login.name, role: login.role, ...merchant };
    }),
    bind(api.summary, () => service.summary()),
    bind(api.sales, (_, { query }) => service.sales(query as Parameters<AdminService['sales']>[0])),
    bind(api.tabs, (_, { query }) => service.tabs(query as Parameters<AdminService['tabs']>[0])),
    bind(api.tab, (_, { params }) => service.tab(params.tabId!)),
    bind(api.purchases, (_, { query }) => service.purchases(query as Parameters<AdminService['purchases']>[0])),
    bind(api.receipts, (_, { params }) => service.receipts(params.tabId!)),
    bind(api.clearings, (_, { query }) => service.clearings((query as { limit?: string }).limit)),
    bind(api.disputes, () => service.disputes()),
    bind(api.refunds, (_, { query }) => service.refunds((query as { limit?: string }).limit)),
    bind(api.refund, (request, { request: http }) => service.refund(as(http, api.refund), request)),
    bind(api.catalogue, () => service.catalogueView()),
    bind(api.editCatalogue, (edit, { request: http }) => service.editCatalogue(as(http, api.editCatalogue), edit)),
  ];
}

/** The edge's check of every admin route: a login's token, an owner's for a change. */
export function authorizeAdmin(logins: AdminLogins): (spec: RouteSpec, request: IncomingMessage) => void {
  return (spec, request) => {
    if (spec.auth !== 'admin-token') return;
    logins.authorize(request, OWNER_SPECS.has(spec));
  };
}

/** Answers the CSV export and the dashboard's files; false for any other path. */
export async function serveAdminPages(
  service: AdminService,
  logins: AdminLogins,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<boolean> {
  if (path === PURCHASES_CSV_PATH) {
    request.resume();
    try {
      if (request.method !== 'GET') throw new OpentabError('method_not_allowed');
      logins.authenticate(request);
      const csv = Buffer.from(
        await service.purchasesCsv(query.get('from') ?? undefined, query.get('until') ?? undefined),
      );
      response.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-length': csv.byteLength,
        'content-disposition': 'attachment; filename="purchases.csv"',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      response.end(csv);
    } catch (error) {
      if (!(error instanceof OpentabError)) throw error;
      sendError(response, error, { 'x-content-type-options': 'nosniff' });
    }
    return true;
  }
  return serveDashboard(request, response, path);
}
