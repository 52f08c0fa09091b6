import { describe, expect, it } from 'vitest';
import type { OperatorInfo } from '@opentab/protocol';
import { nobleCrypto } from '@opentab/protocol';
import type { OperatorCertificate } from '@opentab/protocol';
import { WEAK_KEYS } from '@opentab/test-kit';
import { createCustomerAgent } from '../agent';
import { createMemoryDatabase } from '../storage/memory-database';
import { createMemorySessionArea } from '../storage/session-area';
import { agentWorldPerTest, expectOk, expectPaid, PASSPHRASE, type AgentWorld } from '../testing/agent-world';
import { TEST_SCRYPT_COST } from '../testing/test-ports';
import { UI_CALL_CHANNEL } from '../../messaging/ui-calls';

let w: AgentWorld;

agentWorldPerTest((started) => {
  w = started;
});

describe('enrolment', () => {
  it('binds the wallet key to the account, keeps the operator key, and fetches the first rate table', async () => {
    const { accountId, code } = await w.newEnrolmentCode('500.00');
    expectOk(await w.ui('createWallet', { passphrase: PASSPHRASE }));
    const operator = expectOk(await w.ui('enroll', { operatorUrl: `${w.operatorUrl()}/`, code: code.toLowerCase() }));
    expect(operator).toEqual({ operatorId: 'op-se', baseUrl: w.operatorUrl(), currency: 'SEK', accountId });
    const enrolment = await w.db.meta.get('enrolment');
    expect(enrolment?.operatorPublicKey).toBe(w.world.world.operator('op-se').running.context.identity.signer.kid);
    const overview = expectOk(await w.ui('getOverview', {}));
    expect(overview).toMatchObject({
      walletState: 'ready',
      account: { balance: { currency: 'SEK', value: '0.00' }, available: { currency: 'SEK', value: '500.00' } },
      rates: { status: 'current' },
    });
    expect(w.ports.alarms.scheduled.get('rates-refresh')).toBe(Date.parse(overview.rates.validUntil!));
    expect(expectOk(await w.ui('getSettings', {})).limits).toMatchObject({
      defaultDeposit: { currency: 'SEK', value: '20.00' },
    });
  });

  it('explains a refused code, a second enrolment and an unreachable operator', async () => {
    expectOk(await w.ui('createWallet', { passphrase: PASSPHRASE }));
    expect(await w.ui('enroll', { operatorUrl: w.operatorUrl(), code: 'NOT-A-REAL-CODE' })).toMatchObject({
      ok: false,
      error: { code: 'enrollment_refused' },
    });
    expect(await w.ui('enroll', { operatorUrl: 'http://127.0.0.1:9', code: 'ABCDEFGH' })).toMatchObject({
      ok: false,
      error: {
        code: 'operator_unreachable',
        message:
          'No Opentab operator answered at http://127.0.0.1:9. Check the address and your connection, then try again.',
      },
    });
    expect(await w.ui('enroll', { operatorUrl: 'not a url', code: 'ABCDEFGH' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    const { code } = await w.newEnrolmentCode();
    expectOk(await w.ui('enroll', { operatorUrl: w.operatorUrl(), code }));
    expect(await w.ui('enroll', { operatorUrl: w.operatorUrl(), code })).toMatchObject({
      ok: false,
      error: { code: 'already_enrolled' },
    });
  });

  it('refuses an operator address that would carry enrolment and payments in clear', async () => {
    const { code } = await w.newEnrolmentCode('500.00');
    expectOk(await w.ui('createWallet', { passphrase: PASSPHRASE }));
    expect(await w.ui('enroll', { operatorUrl: 'http://op-se.example', code })).toEqual({
      ok: false,
      error: {
        code: 'invalid_request',
        message:
          'The operator address must start with https:// (plain http:// only for an operator on this computer: localhost, 127.0.0.1 or [::1]), so that enrolment and payments are encrypted.',
      },
    });
    expect(await w.db.meta.get('enrolment')).toBeUndefined();
    // The same code still enrols over the loopback address the demo operator has.
    expectOk(await w.ui('enroll', { operatorUrl: w.operatorUrl(), code }));
  });

  it('refuses an operator whose certificate names a weak key, before sending the code', async () => {
    const { code } = await w.newEnrolmentCode();
    expectOk(await w.ui('createWallet', { passphrase: PASSPHRASE }));
    // The operator, as a man in the middle would show it, and its answer to the enrolment to match.
    const withWeakKey = (certificate: OperatorCertificate) => ({
      ...certificate,
      payload: { ...certificate.payload, publicKey: WEAK_KEYS.identity },
    });
    const enrolled: string[] = [];
    w.ports.intercept = async (url) => {
      if (url === `${w.operatorUrl()}/v1/operator`) {
        const info = (await (await fetch(url)).json()) as OperatorInfo;
        return Response.json({ ...info, certificate: withWeakKey(info.certificate) });
      }
      if (url === `${w.operatorUrl()}/v1/customer/enroll`) enrolled.push(url);
      return undefined;
    };
    const refused = await w.ui('enroll', { operatorUrl: w.operatorUrl(), code });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'enrollment_refused',
        message: expect.stringContaining('payload.publicKey: must be a sound Ed25519 public key'),
      },
    });
    expect(enrolled).toEqual([]);
    expect(await w.db.meta.get('enrolment')).toBeUndefined();
  });

  it('refuses an operator whose certificate does not verify under its signer, the CA it would pin', async () => {
    const { code } = await w.newEnrolmentCode();
    expectOk(await w.ui('createWallet', { passphrase: PASSPHRASE }));
    w.ports.intercept = async (url) => {
      if (url !== `${w.operatorUrl()}/v1/operator`) return undefined;
      const info = (await (await fetch(url)).json()) as OperatorInfo;
      return Response.json({
        ...info,
        certificate: {
          ...info.certificate,
          payload: { ...info.certificate.payload, baseUrl: 'https://elsewhere.example' },
        },
      });
    };
    expect(await w.ui('enroll', { operatorUrl: w.operatorUrl(), code })).toMatchObject({
      ok: false,
      error: {
        code: 'enrollment_refused',
        message: expect.stringContaining("the operator's certificate is not signed by the CA it names"),
      },
    });
    expect(await w.db.meta.get('enrolment')).toBeUndefined();
  });

  it('shows why account data is missing when the operator is down', async () => {
    await w.readyWallet();
    w.ports.unreachable.add(w.operatorUrl());
    const overview = expectOk(await w.ui('getOverview', {}));
    expect(overview.account).toBeNull();
    // A sentence for the customer: no URL, no fetch error.
    expect(overview.accountProblem).toBe('Your operator could not be reached. Check your connection and try again.');
    expect(
      await w.page('pay', { ...w.merchant, itemId: 'article-1', price: { currency: 'EUR', value: '0.08' } }),
    ).toMatchObject({
      ok: false,
      error: { code: expect.stringMatching(/operator_unreachable|rate_table_expired/) },
    });
  });
});

describe('operator session', () => {
  it('logs on again, silently, when the operator no longer knows the session', async () => {
    await w.readyWallet();
    await w.db.meta.put('operatorSession', {
      sessionId: 'op-se.999999',
      expiresAt_ms: w.ports.clock.now_ms() + 3_600_000,
    });
    expectPaid(await w.page('pay', { ...w.merchant, itemId: 'article-1', price: { currency: 'EUR', value: '0.08' } }));
    expect((await w.db.meta.get('operatorSession'))?.sessionId).not.toBe('op-se.999999');
  });
});

describe('backup', () => {
  it('restores key, enrolment and settings into another browser, which can pay at once', async () => {
    const { accountId } = await w.readyWallet();
    expectOk(await w.ui('blockMerchant', { merchantId: 'spam', operatorId: 'op-eu', displayName: 'Spam Shop' }));
    expect(await w.ui('exportBackup', { passphrase: 'not the passphrase' })).toMatchObject({
      ok: false,
      error: { code: 'wrong_passphrase' },
    });
    const backup = expectOk(await w.ui('exportBackup', { passphrase: PASSPHRASE }));
    expect(backup.filename).toMatch(/^opentab-backup-\d{4}-\d{2}-\d{2}\.json$/);

    const elsewhere = createCustomerAgent({
      db: createMemoryDatabase(),
      session: createMemorySessionArea(),
      ports: w.ports,
      crypto: nobleCrypto,
      scryptCost: TEST_SCRYPT_COST,
    });
    const ui = (call: 'restoreBackup', params: { json: string; passphrase: string }) =>
      elsewhere.handleUiCall({ channel: UI_CALL_CHANNEL, call, params });
    expect(await ui('restoreBackup', { json: backup.json, passphrase: 'wrong passphrase!' })).toMatchObject({
      ok: false,
      error: { code: 'wrong_passphrase' },
    });
    expect(await ui('restoreBackup', { json: '{"hello":1}', passphrase: PASSPHRASE })).toMatchObject({
      ok: false,
      error: { code: 'invalid_backup' },
    });
    expect(expectOk(await ui('restoreBackup', { json: backup.json, passphrase: PASSPHRASE }))).toBe('ready');

    w.agent = elsewhere;
    expect(expectOk(await w.ui('getOverview', {})).operator?.accountId).toBe(accountId);
    expect(expectOk(await w.ui('getSettings', {})).merchants).toEqual([
      {
        merchantId: 'spam',
        operatorId: 'op-eu',
        displayName: 'Spam Shop',
        allowance: null,
        blocked: true,
        lastTabAt: null,
      },
    ]);
    expectPaid(await w.page('pay', { ...w.merchant, itemId: 'article-1', price: { currency: 'EUR', value: '0.08' } }));
  });
});

describe('settings of a locked wallet', () => {
  it('are shown but not changed: limits, allowances and blocks wait until it is unlocked', async () => {
    await w.readyWallet();
    const before = expectOk(await w.ui('getSettings', {}));
    expectOk(await w.ui('lock', {}));
    const merchant = { merchantId: 'news', operatorId: 'op-eu' };
    const limits = { maxDepositPerTab: '1000.00', dailyCap: null, monthlyCap: null, defaultDeposit: '500.00' };
    expect(await w.ui('setLimits', { limits, tabTimeout_s: 60, idleLock_min: 600 })).toMatchObject({
      ok: false,
      error: { code: 'wallet_locked' },
    });
    expect(await w.ui('setAllowance', { ...merchant, displayName: 'News', maxDeposit: '100.00' })).toMatchObject({
      ok: false,
      error: { code: 'wallet_locked' },
    });
    expect(await w.ui('blockMerchant', { ...merchant, displayName: 'News' })).toMatchObject({
      ok: false,
      error: { code: 'wallet_locked' },
    });
    expect(await w.ui('unblockMerchant', merchant)).toMatchObject({ ok: false, error: { code: 'wallet_locked' } });
    expect(await w.ui('revokeAllowance', merchant)).toMatchObject({ ok: false, error: { code: 'wallet_locked' } });
    expect(expectOk(await w.ui('getSettings', {}))).toEqual(before);

    expectOk(await w.ui('unlock', { passphrase: PASSPHRASE }));
    expect(
      expectOk(await w.ui('setLimits', { limits, tabTimeout_s: 60, idleLock_min: 600 })).limits?.defaultDeposit,
    ).toEqual({ currency: 'SEK', value: '500.00' });
  });
});

describe('history', () => {
  it('exports the purchases as CSV', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, itemId: 'article-1', price: { currency: 'EUR', value: '0.08' } }));
    const { filename, csv } = expectOk(await w.ui('exportHistoryCsv', {}));
    expect(filename).toMatch(/^opentab-history-.*\.csv$/);
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(
      'date,merchant,item,title,amount,currency,transaction,amount_customer,currency_customer,tab_outcome,tab_charged,tab_charged_currency,tab_decision,tab_reason',
    );
    // 8 cents at the tab's 11.3595 SEK per EUR: 90.876 öre.
    expect(lines[1]).toMatch(/,The Daily Tab,article-1,Article 1,0\.08,EUR,op-se\.\d+\.\d+,0\.91,SEK,,,,,$/);
  });
});

describe('an operator that cannot be reached', () => {
  it('leaves the last balance read, with its time, beside the reason', async () => {
    await w.readyWallet();
    const before = expectOk(await w.ui('getOverview', {}));
    const readAt = w.ports.clock.now_ms();
    w.ports.clock.advance(60_000);
    w.ports.unreachable.add(w.operatorUrl());
    const down = expectOk(await w.ui('getOverview', {}));
    expect(down.account).toBeNull();
    expect(down.accountProblem).not.toBeNull();
    expect(down.lastKnownAccount).toEqual({ account: before.account, at: new Date(readAt).toISOString() });
  });
});
