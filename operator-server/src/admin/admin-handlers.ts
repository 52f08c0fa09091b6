// Handlers of the admin routes: thin translations between the admin API's shapes and the store,
// the ledger and the account manager, through `context.storage`: a view reads in one transaction,
// and a change commits with its line in the staff log (changeWithLogLine). The operator's staff
// work through these (or the CLI).

import type * as v from 'valibot';
import { OpentabError } from '@opentab/protocol';
import { moneyFromWire, moneyToWire, signedMoneyToWire } from '@opentab/protocol';
import { formatTimestamp, parseTimestamp } from '@opentab/protocol';
import type { CustomerRecord } from '@opentab/protocol';
import type { MerchantRecord } from '@opentab/protocol';
import { accountViewIn } from '../account-manager/account-view';
import { newAccountId, newEnrollmentCode } from '../account-manager/enrollment';
import {
  ADMIN_API,
  type SettlementQuery,
  creditEntryId,
  type LedgerReport,
  type MerchantView,
  type TabView,
  type TransactionView,
} from '../http/admin-api';
import { bind, type RouteBinding } from '@opentab/server-kit';
import { isLedgerError } from '../ledger';
import { ledgerAccount } from '../ledger-accounts';
import type { OperatorContext } from '../operator-context';
import { assertMerchantInGoodStanding } from '../revocation/revocations';
import { settlementStatement } from '../settlement/statement';
import { operationsBindings } from './operations-handlers';
import { trustBindings } from './trust-handlers';
import { recordingActions, staffBindings } from './staff-handlers';
import type { RouteSpec } from '@opentab/protocol';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import type { Merchant } from '../store/records';
import { changeWithLogLine } from '../staff/staff-log';
import { requireCustomer } from './operations-handlers';

type Tx = OperatorStoreTransaction;

const DEFAULT_CODE_VALIDITY_S = 7 * 24 * 3600;

function summarise(record: CustomerRecord | MerchantRecord | null) {
  if (record === null) return null;
  const p = record.payload;
  return { count: p.count, total: p.total, lastChainIndex: p.lastChainIndex, purchaseListHash: p.purchaseListHash };
}

async function merchantView(tx: Tx, merchant: Merchant): Promise<v.InferOutput<typeof MerchantView>> {
  const account = await tx.ledger.getAccount(ledgerAccount.merchant(merchant.merchantId));
  const tabs = await tx.tabs.tabsOfMerchant(merchant.merchantId, 100);
  return {
    merchantId: merchant.merchantId,
    displayName: merchant.displayName,
    currency: merchant.currency,
    origins: [...merchant.origins],
    agentUrl: merchant.agentUrl,
    publicKey: merchant.publicKey,
    balance: signedMoneyToWire(merchant.currency, account.balance),
    tabs: tabs.map((tab) => ({
      tabId: tab.tabId,
      state: tab.state,
      deposit: moneyToWire({ currency: tab.currency, minor: tab.deposit_minor }),
      cleared: tab.cleared_minor === null ? null : moneyToWire({ currency: tab.currency, minor: tab.cleared_minor }),
      outcome: tab.outcome,
    })),
  };
}

async function resolvedOf(tx: Tx, tabId: string, currency: string) {
  const resolution = await tx.tabs.resolutionOfTab(tabId);
  return resolution === null
    ? null
    : { decision: resolution.decision, cleared: moneyToWire({ currency, minor: resolution.clearedAfter_minor }) };
}

/** Every admin route's operationId, by its spec: the name a change is kept under in the staff log. */
const ADMIN_ROUTE_NAMES: ReadonlyMap<RouteSpec, string> = new Map(
  Object.entries(ADMIN_API).map(([name, spec]) => [spec as RouteSpec, name]),
);

export function adminBindings(context: OperatorContext): RouteBinding[] {
  return recordingActions(context, bindingsOfAdminRoutes(context), ADMIN_ROUTE_NAMES);
}

function bindingsOfAdminRoutes(context: OperatorContext): RouteBinding[] {
  return [
    ...operationsBindings(context),
    ...trustBindings(context),
    ...staffBindings(context),
    bind(ADMIN_API.createCustomer, async (body, { now_ms, request }) => {
      const creditLimit = moneyFromWire(body.creditLimit);
      const currency = body.currency ?? context.config.currency;
      if (creditLimit.currency !== currency)
        throw new OpentabError('currency_mismatch', 'The credit limit must be in the account currency.');
      if (!context.identity.certificate.payload.currencies.includes(currency)) {
        throw new OpentabError(
          'unsupported_currency',
          `This operator keeps accounts in ${context.identity.certificate.payload.currencies.join(', ')}.`,
        );
      }
      const accountId = newAccountId(context);
      await changeWithLogLine(
        context,
        request,
        async (tx) => {
          await tx.customers.insertCustomer(accountId, currency, body.displayName ?? accountId, now_ms);
          await tx.ledger.createAccount({
            id: ledgerAccount.customer(accountId),
            currency,
            kind: 'customer',
            minBalance: -creditLimit.minor,
          });
        },
        accountId,
      );
      context.log.info('customer.created', {
        account: accountId,
        creditLimit: `${body.creditLimit.value} ${currency}`,
      });
      return { accountId, currency, creditLimit: moneyToWire(creditLimit) };
    }),

    bind(ADMIN_API.enrollmentCode, (body, { params, now_ms, request }) =>
      changeWithLogLine(context, request, async (tx) => {
        const accountId = params.accountId!;
        await requireCustomer(tx, accountId);
        const code = newEnrollmentCode(context);
        const expiresAt_ms = now_ms + (body.validFor_s ?? DEFAULT_CODE_VALIDITY_S) * 1000;
        await tx.customers.insertEnrollmentCode(code, accountId, expiresAt_ms);
        return { accountId, code, expiresAt: formatTimestamp(expiresAt_ms) };
      }),
    ),

    bind(ADMIN_API.creditCustomer, (body, { params, request }) =>
      changeWithLogLine(context, request, async (tx) => {
        const customer = await requireCustomer(tx, params.accountId!);
        const amount = moneyFromWire(body.amount);
        if (amount.currency !== customer.currency) throw new OpentabError('currency_mismatch');
        if (amount.minor === 0n) throw new OpentabError('amount_invalid', 'A credit must be more than zero.');
        const funding = ledgerAccount.funding(customer.currency);
        if ((await tx.ledger.findAccount(funding)) === undefined)
          await tx.ledger.createAccount({
            id: funding,
            currency: customer.currency,
            kind: 'funding',
            minBalance: null,
          });
        try {
          await tx.ledger.postEntry({
            id: creditEntryId(customer.accountId, body.reference),
            memo: `prepaid credit ${body.reference}`,
            ref: body.reference,
            postings: [
              { accountId: funding, amount: -amount.minor },
              { accountId: ledgerAccount.customer(customer.accountId), amount: amount.minor },
            ],
          });
        } catch (error) {
          // The reference makes a retried credit post once; the same reference for another amount is the
          // caller's mistake.
          if (isLedgerError(error, 'conflict'))
            throw new OpentabError(
              'id_reused',
              `The reference ${body.reference} was already used for another credit to this account.`,
            );
          throw error;
        }
        return accountViewIn(context, tx, customer);
      }),
    ),

    bind(ADMIN_API.getCustomer, (_, { params }) =>
      context.storage.transaction(async (tx) => {
        const customer = await requireCustomer(tx, params.accountId!);
        return accountViewIn(context, tx, customer);
      }),
    ),

    bind(ADMIN_API.registerMerchant, async (body, { now_ms, request }) => {
      if (!context.identity.certificate.payload.currencies.includes(body.currency)) {
        throw new OpentabError(
          'unsupported_currency',
          `This operator keeps accounts in ${context.identity.certificate.payload.currencies.join(', ')}.`,
        );
      }
      const view = await changeWithLogLine(
        context,
        request,
        async (tx) => {
          // A revoked merchant stays revoked: registering it again would hand out new certificates.
          await assertMerchantInGoodStanding(tx.revocations, body.merchantId);
          const existing = await tx.merchants.merchant(body.merchantId);
          if (existing !== null && existing.currency !== body.currency)
            throw new OpentabError('currency_mismatch', "A merchant's currency cannot change.");
          await tx.merchants.upsertMerchant({
            ...body,
            origins: [...new Set(body.origins)],
            createdAt: existing?.createdAt ?? now_ms,
          });
          if ((await tx.ledger.findAccount(ledgerAccount.merchant(body.merchantId))) === undefined) {
            await tx.ledger.createAccount({
              id: ledgerAccount.merchant(body.merchantId),
              currency: body.currency,
              kind: 'merchant',
              minBalance: 0n,
            });
          }
          return merchantView(tx, (await tx.merchants.merchant(body.merchantId))!);
        },
        body.merchantId,
      );
      context.log.info('merchant.registered', { merchant: body.merchantId, origins: view.origins.join(',') });
      return view;
    }),

    bind(ADMIN_API.getMerchant, (_, { params }) =>
      context.storage.transaction(async (tx) => {
        const merchant = await tx.merchants.merchant(params.merchantId!);
        if (merchant === null) throw new OpentabError('unknown_merchant');
        return merchantView(tx, merchant);
      }),
    ),

    bind(ADMIN_API.getTransaction, async (_, { params }): Promise<v.InferOutput<typeof TransactionView>> => {
      const t = await context.storage.transactions.transaction(params.transactionId!);
      if (t === null) throw new OpentabError('unknown_tab', 'There is no such transaction.');
      const money = (minor: bigint) => moneyToWire({ currency: t.customerCurrency, minor });
      return {
        transactionId: t.transactionId,
        accountId: t.accountId,
        state: t.state,
        tabId: t.tabId,
        merchantId: t.merchantId,
        merchantOperatorId: t.merchantOperatorId,
        hold: money(t.hold_minor),
        depositMerchant: moneyToWire({ currency: t.merchantCurrency, minor: t.deposit_minor }),
        charged: t.charged_minor === null ? null : money(t.charged_minor),
        released: t.charged_minor === null ? null : money(t.hold_minor - t.charged_minor),
        outcome: t.clearingOutcome,
        expiresAt: formatTimestamp(t.expiresAt),
        customerRecord: summarise(t.customerRecord),
      };
    }),

    bind(
      ADMIN_API.getTab,
      (_, { params }): Promise<v.InferOutput<typeof TabView>> =>
        context.storage.transaction(async (tx) => {
          const tab = await tx.tabs.tab(params.tabId!);
          if (tab === null) throw new OpentabError('unknown_tab');
          const dispute = (await tx.tabs.disputesOfTab(tab.tabId))[0];
          const money = (minor: bigint) => moneyToWire({ currency: tab.currency, minor });
          return {
            tabId: tab.tabId,
            merchantId: tab.merchantId,
            customerOperatorId: tab.customerOperatorId,
            transactionId: tab.transactionId,
            state: tab.state,
            deposit: money(tab.deposit_minor),
            cleared: tab.cleared_minor === null ? null : money(tab.cleared_minor),
            outcome: tab.outcome,
            expiresAt: formatTimestamp(tab.expiresAt),
            customerRecord: summarise(tab.customerRecord),
            merchantRecord: summarise(tab.merchantRecord),
            dispute:
              dispute === undefined
                ? null
                : { disputeId: dispute.disputeId, reason: dispute.reason, cleared: money(dispute.cleared_minor) },
          };
        }),
    ),

    bind(ADMIN_API.listDisputes, () =>
      context.storage.transaction(async (tx) => {
        const views = [];
        for (const dispute of await tx.tabs.disputes(200)) {
          const tab = (await tx.tabs.tab(dispute.tabId))!;
          views.push({
            disputeId: dispute.disputeId,
            tabId: dispute.tabId,
            createdAt: formatTimestamp(dispute.createdAt),
            cleared: moneyToWire({ currency: tab.currency, minor: dispute.cleared_minor }),
            reason: dispute.reason,
            resolved: await resolvedOf(tx, tab.tabId, tab.currency),
          });
        }
        return views;
      }),
    ),

    bind(ADMIN_API.settlement, async (_, { query, now_ms }) => {
      const { peer, from, until } = query as v.InferOutput<typeof SettlementQuery>;
      const from_ms = from === undefined ? 0 : parseTimestamp(from)!;
      const until_ms = until === undefined ? now_ms + 1 : parseTimestamp(until)!;
      // An empty statement for a reversed period would read as "nothing to settle".
      if (from !== undefined && until !== undefined && from_ms > until_ms)
        throw new OpentabError('invalid_message', 'The period ends before it starts: from must not be after until.', [
          'from: after until',
        ]);
      const statement = await context.storage.transaction((tx) =>
        settlementStatement(tx.ledger, context.identity.operatorId, peer, from_ms, until_ms),
      );
      return { ...statement, lines: [...statement.lines] };
    }),

    bind(
      ADMIN_API.ledger,
      (): Promise<v.InferOutput<typeof LedgerReport>> => context.storage.transaction(async (tx) => ledgerReport(tx)),
    ),
  ];
}

async function ledgerReport(tx: Tx): Promise<v.InferOutput<typeof LedgerReport>> {
  const report = await tx.ledger.checkInvariants();
  const balances: Record<string, { currency: string; value: string }> = {};
  for (const [currency, sums] of Object.entries(await tx.ledger.balancesByCurrency())) {
    for (const [kind, total] of Object.entries(sums.balanceByKind))
      balances[`${kind}:${currency}`] = signedMoneyToWire(currency, total);
  }
  const pendingHolds = [];
  for (const hold of await tx.ledger.listHolds({ status: 'pending' }))
    pendingHolds.push({
      holdId: hold.id,
      ref: hold.ref,
      amount: moneyToWire({ currency: (await tx.ledger.getAccount(hold.accountId)).currency, minor: hold.amount }),
      accountId: hold.accountId,
    });
  return {
    sumsByCurrency: Object.fromEntries(
      Object.entries(report.sumsByCurrency).map(([currency, total]) => [currency, signedMoneyToWire(currency, total)]),
    ),
    accountsBelowFloor: report.accountsBelowFloor,
    heldMismatches: report.heldMismatches,
    balanceMismatches: report.balanceMismatches,
    pendingHolds,
    balances,
  };
}
