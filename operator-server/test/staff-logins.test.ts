// Per-person logins to the admin API over real HTTP: staff accounts made with the admin token, a
// session cookie (HttpOnly, SameSite=Strict) for the right name and password only, the admin routes
// open to that cookie as to the token, each change kept with who made it (shown in a dispute's
// decision and the tab's story), and the refusals: no login, a wrong password or name, a session
// expired on the operator's clock or ended by logging out.

import { describe, expect, it } from 'vitest';
import { callRoute, OPERATOR_API, toBase64url } from '@opentab/protocol';
import { nodeCrypto, waitFor } from '@opentab/test-kit';
import {
  hundredArticles,
  MERCHANT_OPERATOR,
  merchantStopRecord,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { STAFF_SESSION_LIFETIME_MS } from '../src/staff/staff-sessions';
import { send } from '../testing/http';

const merchantSecretKey = toBase64url(nodeCrypto.randomBytes(32));
let w: TwoOperatorWorld;
worldPerTest((started) => (w = started), { merchantSecretKey });

const eu = () => w.world.operator(MERCHANT_OPERATOR);
const PASSWORD = 'correct horse battery';

async function createStaff(name = 'grace') {
  return eu().admin.call('createStaff', { name, password: PASSWORD });
}

/** Logs in and returns the session cookie as a browser would send it back, and the Set-Cookie header. */
async function logIn(name: string, password: string) {
  const response = await fetch(`${eu().url}/v1/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  const setCookie = response.headers.get('set-cookie');
  return { status: response.status, body: await response.json(), setCookie, cookie: setCookie?.split(';')[0] ?? '' };
}

const asStaff = (cookie: string, path: string, body?: unknown) =>
  send(`${eu().url}${path}`, { headers: { cookie }, ...(body !== undefined ? { body } : {}) });

describe('staff logins', () => {
  it('open a session cookie for the right password only, and the admin routes to it', async () => {
    expect(await createStaff()).toMatchObject({ name: 'grace' });

    const wrong = await logIn('grace', 'not the password');
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'login_failed' } }, setCookie: null });
    const unknown = await logIn('nobody', PASSWORD);
    expect(unknown).toMatchObject({ status: 401, body: { error: { code: 'login_failed' } } });

    const session = await logIn('grace', PASSWORD);
    expect(session.status).toBe(200);
    expect(session.body.name).toBe('grace');
    expect(session.setCookie).toMatch(
      /^opentab_staff=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/,
    );

    expect(await asStaff(session.cookie, '/v1/admin/session')).toMatchObject({
      status: 200,
      body: { name: 'grace', expiresAt: session.body.expiresAt },
    });
    const merchants = await asStaff(session.cookie, '/v1/admin/merchants');
    expect(merchants.status).toBe(200);
    expect(merchants.body[0].merchantId).toBe(w.merchantId);
    // /metrics too.
    const metrics = await fetch(`${eu().url}/metrics`, { headers: { cookie: session.cookie } });
    expect(metrics.status).toBe(200);
  });

  it('are refused without a login, after the session expires, and after logging out', async () => {
    await createStaff();
    expect((await send(`${eu().url}/v1/admin/merchants`)).body.error.code).toBe('unauthorized');
    expect((await asStaff('opentab_staff=made-up', '/v1/admin/merchants')).body.error.code).toBe(
      'staff_session_expired',
    );

    const first = await logIn('grace', PASSWORD);
    w.clock.advance(STAFF_SESSION_LIFETIME_MS - 1);
    expect((await asStaff(first.cookie, '/v1/admin/merchants')).status).toBe(200);
    w.clock.advance(1);
    const expired = await asStaff(first.cookie, '/v1/admin/merchants');
    expect(expired).toMatchObject({ status: 401, body: { error: { code: 'staff_session_expired' } } });

    const second = await logIn('grace', PASSWORD);
    const out = await fetch(`${eu().url}/v1/staff/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: second.cookie },
      body: '{}',
    });
    expect(out.headers.get('set-cookie')).toMatch(/^opentab_staff=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    expect(await out.json()).toEqual({ loggedOut: true });
    expect((await asStaff(second.cookie, '/v1/admin/merchants')).body.error.code).toBe('staff_session_expired');
  });

  it('keep who decided a dispute, in the decision and in the tab’s story; only the admin token makes staff', async () => {
    await createStaff();
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '50.00' },
    });
    const price = { currency: 'EUR', value: hundredArticles()[0]!.price };
    await tab.buy(w.merchant.agentUrl, 'article-1', price);
    const inflated = merchantStopRecord(merchantSecretKey, w.merchantId, tab, {
      count: 1,
      total: { currency: 'EUR', value: '5.00' },
      lastChainIndex: 15,
    });
    await callRoute(eu().url, OPERATOR_API.merchantRecord, inflated);
    await customer.sendRecord(tab);
    const dispute = await waitFor('the dispute', async () => (await eu().admin.call('listDisputes', undefined))[0]);

    const { cookie } = await logIn('grace', PASSWORD);
    const decided = await asStaff(cookie, `/v1/admin/disputes/${dispute.disputeId}/resolution`, {
      decision: 'uphold',
      reason: 'The chain proves one article.',
    });
    expect(decided).toMatchObject({ status: 200, body: { decision: 'uphold', decidedBy: 'grace' } });
    const detail = await eu().admin.call('getDispute', undefined, { disputeId: dispute.disputeId });
    expect(detail.resolution?.decidedBy).toBe('grace');
    const story = await eu().admin.call('tabStory', undefined, { tabId: tab.tabId });
    expect(story.events.map((e) => e.what)).toContainEqual(
      expect.stringMatching(/^Dispute decided: upheld .* Reason: The chain proves one article\. \(decided by grace\)$/),
    );
    const actions = await eu().admin.call('staffActions', undefined);
    expect(actions[0]).toMatchObject({ actor: 'grace', action: 'resolveDispute', subject: dispute.disputeId });

    const bySession = await asStaff(cookie, '/v1/admin/staff', { name: 'mallory', password: PASSWORD });
    expect(bySession).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const short = await send(`${eu().url}/v1/admin/staff`, {
      headers: { authorization: `Bearer ${eu().running.context.config.adminToken}` },
      body: { name: 'mallory', password: 'short' },
    });
    expect(short.body.error.code).toBe('invalid_message');
    await expect(createStaff()).rejects.toMatchObject({ failure: { code: 'conflict' } });
    expect((await eu().admin.call('listStaff', undefined)).map((s) => s.name)).toEqual(['grace']);
  });
});
