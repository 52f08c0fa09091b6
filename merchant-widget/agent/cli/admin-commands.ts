// The merchant's admin API from a shell: sales, refunds, catalogue edits and the CSV export of a
// running agent (`--agent` is its mount URL, e.g. https://shop.example/opentab). The login's token
// comes from OPENTAB_MERCHANT_ADMIN_TOKEN, never from the command line, where other users of the
// machine could read it.

import { randomBytes } from 'node:crypto';
import { callRoute, RemoteCallError, type RouteSpec, type RequestOf, type ResponseOf } from '@opentab/protocol';
import { MERCHANT_ADMIN_API, PURCHASES_CSV_PATH } from '../admin/admin-api';

export const ADMIN_TOKEN_ENV = 'OPENTAB_MERCHANT_ADMIN_TOKEN';

export class AdminCommandError extends Error {}

export interface AdminOptions {
  readonly agent?: string;
  readonly from?: string;
  readonly until?: string;
  readonly bucket?: string;
  readonly tab?: string;
  readonly purchase?: readonly string[];
  readonly reason?: string;
  readonly 'refund-id'?: string;
  readonly item?: string;
  readonly title?: string;
  readonly price?: string;
  readonly kind?: string;
  readonly 'access-s'?: string;
}

const required = (value: string | undefined, name: string): string => {
  if (value === undefined || value === '') throw new AdminCommandError(`--${name} is required (see: help)`);
  return value;
};

function tokenOf(env: NodeJS.ProcessEnv): string {
  const token = env[ADMIN_TOKEN_ENV];
  if (token === undefined || token === '')
    throw new AdminCommandError(`set ${ADMIN_TOKEN_ENV} to the token of one of the merchant's logins`);
  return token;
}

/** A POST route: its body checked by the route's schema at the agent. */
async function call<R extends RouteSpec>(
  agent: string,
  token: string,
  spec: R,
  body: RequestOf<R>,
): Promise<ResponseOf<R>> {
  try {
    return await callRoute(agent, spec, body, { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    if (error instanceof RemoteCallError) throw new AdminCommandError(error.message);
    throw error;
  }
}

/** Runs one admin command; resolves with what to print. */
export async function runAdminCommand(
  command: string,
  options: AdminOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const agent = required(options.agent, 'agent').replace(/\/+$/, '');
  const token = tokenOf(env);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  switch (command) {
    case 'sales':
      return json(
        await callQuery(agent, token, MERCHANT_ADMIN_API.sales, {
          from: options.from,
          until: options.until,
          bucket: options.bucket,
        }),
      );
    case 'refunds':
      return json(await callQuery(agent, token, MERCHANT_ADMIN_API.refunds, {}));
    case 'disputes':
      return json(await callQuery(agent, token, MERCHANT_ADMIN_API.disputes, {}));
    case 'refund': {
      const seqs = (options.purchase ?? []).map((text) => {
        const seq = Number(text);
        if (!Number.isSafeInteger(seq) || seq < 1) throw new AdminCommandError('--purchase takes a sequence number');
        return seq;
      });
      // A retry names the refund again (--refund-id, printed with every answer): it counts once.
      const refundId = options['refund-id'] ?? randomBytes(16).toString('hex');
      return json(
        await call(agent, token, MERCHANT_ADMIN_API.refund, {
          refundId,
          tabId: required(options.tab, 'tab'),
          ...(seqs.length > 0 ? { seqs } : {}),
          reason: required(options.reason, 'reason'),
        }),
      );
    }
    case 'catalogue':
      return json(await callQuery(agent, token, MERCHANT_ADMIN_API.catalogue, {}));
    case 'catalogue-set': {
      const me = await callQuery(agent, token, MERCHANT_ADMIN_API.whoAmI, {});
      const access = options['access-s'];
      return json(
        await call(agent, token, MERCHANT_ADMIN_API.editCatalogue, {
          itemId: required(options.item, 'item'),
          title: required(options.title, 'title'),
          price: { currency: me.currency, value: required(options.price, 'price') },
          kind: (options.kind ?? 'entitlement') as 'entitlement' | 'consumable',
          ...(access !== undefined ? { access_s: Number(access) } : {}),
        }),
      );
    }
    case 'export': {
      const query = new URLSearchParams(
        Object.entries({ from: options.from, until: options.until }).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      ).toString();
      const response = await fetch(`${agent}${PURCHASES_CSV_PATH}${query === '' ? '' : `?${query}`}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const text = await response.text();
      if (!response.ok) throw new AdminCommandError(`the agent answered ${response.status}: ${text}`);
      return text;
    }
    default:
      throw new AdminCommandError(`unknown command ${command}`);
  }
}

/** A GET route, its query in the URL. */
async function callQuery<R extends RouteSpec>(
  agent: string,
  token: string,
  spec: R,
  query: Record<string, string | undefined>,
): Promise<ResponseOf<R>> {
  const given = Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const search = given.length === 0 ? '' : `?${new URLSearchParams(given).toString()}`;
  const response = await fetch(`${agent}${spec.path}${search}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!response.ok)
    throw new AdminCommandError(
      `${body?.error?.code ?? response.status}: ${body?.error?.message ?? 'the agent refused the request'}`,
    );
  return body as ResponseOf<R>;
}
