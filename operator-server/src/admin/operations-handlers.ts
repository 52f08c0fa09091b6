// Handlers of the staff's routes (admin-operations-api.ts): translations between the API's shapes
// and the store, the ledger and the MTA's dispute resolution, all through `context.storage`: a view
// that reads several things reads them in one transaction, and a change commits with its line in
// the staff log (changeWithLogLine). Rules about what a status means live where the status is
// enforced (customer-auth.ts, initiation.ts, merchant-lookup.ts, tab-registration.ts); here only
// what may change into what. Calls marked `sync:` reach tables others keep (revocations,
// certificates, refunds, rates, the dispute resolution's own steps) on the same SQLite
// connection, inside the storage transaction, so they commit with it.

import type * as v from 'valibot';
import { OpentabError } from '@opentab/protocol';
import { moneyFromWire, moneyToWire, signedMoneyToWire } from '@opentab/protocol';
import { formatTimestamp, parseTimestamp } from '@opentab/protocol';
import { provesIndex } from '@opentab/protocol';
import type { CustomerRecord, MerchantRecord } from '@opentab/protocol';
import {
  ADMIN_OPERATIONS_API,
  type CustomerSearch,
  type CustomerSummary,
  type DisputeDetail,
  type Figures,
  type MerchantSummary,
  type OutboxQuery,
  type RecordReading,
  type ResolutionView,
  type TabSearch,
  type TabStory,
  type TabSummary,
  type TransactionSearch,
  type TransactionSummary,
} from '../http/admin-operations-api';
import { bind, type RouteBinding } from '@opentab/server-kit';
import { isLedgerError } from '../ledger';
import { ledgerAccount } from '../ledger-accounts';
import { resolveDisputeIn, type SignedDisputeResolution } from '../mta/dispute-resolution';
import type { OperatorContext } from '../operator-context';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import type { Customer, DisputeResolution, Merchant, StoredRefund, Tab, Transaction } from '../store/records';
import { tabEvents } from './tab-story';
import { revocationView } from './trust-handlers';
import { actorOf } from '../staff/actor';
import { changeWithLogLine } from '../staff/staff-log';
import { accountViewIn } from '../account-manager/account-view';

type Tx = OperatorStoreTransaction;

const DEFAULT_LIMIT = 100;
const limitOf = (limit: string | undefined): number => (limit === undefined ? DEFAULT_LIMIT : Number(limit));
const timeOf = (timestamp: string | undefined): number | undefined =>
  timestamp === undefined ? undefined : parseTimestamp(timestamp)!;

async function customerSummary(tx: Tx, customer: Customer): Promise<v.InferOutput<typeof CustomerSummary>> {
  const account = await tx.ledger.getAccount(ledgerAccount.customer(customer.accountId));
  const money = (minor: bigint) => moneyToWire({ currency: customer.currency, minor });
  return {
    accountId: customer.accountId,
    displayName: customer.displayName,
    currency: customer.currency,
    status: customer.status,
    statusReason: customer.statusReason,
    enrolled: customer.publicKey !== null,
    balance: signedMoneyToWire(customer.currency, account.balance),
    creditLimit: money(account.minBalance === null ? 0n : -account.minBalance),
    held: money(account.held),
    createdAt: formatTimestamp(customer.createdAt),
  };
}

async function revocationOf(tx: Tx, merchantId: string) {
  const revocation = await tx.revocations.revocation('merchant', merchantId);
  return revocation === null ? null : revocationView(revocation);
}

async function merchantSummary(
  context: OperatorContext,
  tx: Tx,
  merchant: Merchant,
): Promise<v.InferOutput<typeof MerchantSummary>> {
  const account = await tx.ledger.findAccount(ledgerAccount.merchant(merchant.merchantId));
  const certificates = await tx.issuedCertificates.certificatesOf(merchant.merchantId);
  return {
    merchantId: merchant.merchantId,
    displayName: merchant.displayName,
    currency: merchant.currency,
    agentUrl: merchant.agentUrl,
    origins: [...merchant.origins],
    status: merchant.status ?? 'active',
    statusReason: merchant.statusReason ?? null,
    revocation: await revocationOf(tx, merchant.merchantId),
    certificate:
      certificates.latest === null
        ? null
        : {
            issuedAt: formatTimestamp(certificates.latest.issuedAt_ms),
            validUntil: formatTimestamp(certificates.latest.validUntil_ms),
            signedBy: certificates.latest.signedBy,
            expiresIn_s: Math.floor((certificates.latest.validUntil_ms - context.clock.now_ms()) / 1000),
          },
    certificatesIssued: certificates.issued,
    balance: signedMoneyToWire(merchant.currency, account?.balance ?? 0n),
    createdAt: formatTimestamp(merchant.createdAt),
  };
}

function tabSummary(tab: Tab): v.InferOutput<typeof TabSummary> {
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
    revision: tab.clearingRevision,
    openedAt: formatTimestamp(tab.openedAt),
    clearedAt: tab.clearedAt === null ? null : formatTimestamp(tab.clearedAt),
  };
}

function transactionSummary(t: Transaction): v.InferOutput<typeof TransactionSummary> {
  const money = (minor: bigint) => moneyToWire({ currency: t.customerCurrency, minor });
  return {
    transactionId: t.transactionId,
    accountId: t.accountId,
    merchantId: t.merchantId,
    merchantOperatorId: t.merchantOperatorId,
    tabId: t.tabId,
    state: t.state,
    hold: money(t.hold_minor),
    charged: t.charged_minor === null ? null : money(t.charged_minor),
    outcome: t.clearingOutcome,
    openedAt: formatTimestamp(t.openedAt),
  };
}

/** What a record claims and what its chain link proves, against the tab's chain. */
export function readRecord(
  context: OperatorContext,
  tab: Tab,
  record: CustomerRecord | MerchantRecord | null,
): v.InferOutput<typeof RecordReading> | null {
  if (record === null) return null;
  const p = record.payload;
  const linkProvesPosition = provesIndex(
    context.crypto,
    { root: tab.chain.root, length: tab.chain.length },
    { index: p.lastChainIndex, link: p.lastChainLink },
  );
  const unit_minor = moneyFromWire(tab.chain.unit).minor;
  return {
    recordId: p.id,
    count: p.count,
    total: p.total,
    lastChainIndex: p.lastChainIndex,
    purchaseListHash: p.purchaseListHash,
    linkProvesPosition,
    proven: moneyToWire({
      currency: tab.currency,
      minor: linkProvesPosition ? BigInt(p.lastChainIndex) * unit_minor : 0n,
    }),
  };
}

/** Who decided a dispute, from the staff log. */
export async function decidedByOf(tx: Pick<Tx, 'staff'>, disputeId: string): Promise<string | null> {
  const decisions = (await tx.staff.actionsOn([disputeId])).filter((action) => action.action === 'resolveDispute');
  return decisions.at(-1)?.actor ?? null;
}

export function resolutionView(
  tab: Tab,
  resolution: DisputeResolution,
  decidedBy: string | null,
): v.InferOutput<typeof ResolutionView> {
  const money = (minor: bigint) => moneyToWire({ currency: tab.currency, minor });
  return {
    tabId: resolution.tabId,
    disputeId: resolution.disputeId,
    decision: resolution.decision,
    clearedBefore: money(resolution.clearedBefore_minor),
    clearedAfter: money(resolution.clearedAfter_minor),
    adjustment: signedMoneyToWire(tab.currency, resolution.clearedAfter_minor - resolution.clearedBefore_minor),
    revision: resolution.revision,
    reason: resolution.reason,
    decidedAt: formatTimestamp(resolution.decidedAt),
    decidedBy,
    signed: JSON.parse(resolution.envelope) as SignedDisputeResolution,
  };
}

export async function requireCustomer(tx: Tx, accountId: string): Promise<Customer> {
  const customer = await tx.customers.customer(accountId);
  if (customer === null) throw new OpentabError('unknown_account');
  return customer;
}

async function requireMerchant(tx: Tx, merchantId: string): Promise<Merchant> {
  const merchant = await tx.merchants.merchant(merchantId);
  if (merchant === null) throw new OpentabError('unknown_merchant');
  return merchant;
}

async function requireTab(tx: Tx, tabId: string): Promise<Tab> {
  const tab = await tx.tabs.tab(tabId);
  if (tab === null) throw new OpentabError('unknown_tab');
  return tab;
}

function refundView(tab: Tab, refund: StoredRefund) {
  return {
    refundId: refund.refundId,
    amount: moneyToWire({ currency: tab.currency, minor: refund.amount_minor }),
    reason: refund.reason,
    receivedAt: formatTimestamp(refund.receivedAt),
    timing: refund.revision === null ? ('before-clearing' as const) : ('after-clearing' as const),
    revision: refund.revision,
  };
}

/**
 * Closing is final, so it needs an account with nothing left in flight or owed: no tab opening or
 * open (their holds are pending) and a balance of zero (a debt is collected, or a prepaid credit
 * paid out, before the account goes).
 */
async function assertClosable(tx: Tx, customer: Customer): Promise<void> {
  const unfinished = await tx.customers.unfinishedTransactionsOfAccount(customer.accountId);
  const account = await tx.ledger.getAccount(ledgerAccount.customer(customer.accountId));
  const problems: string[] = [];
  if (unfinished > 0) problems.push(`${unfinished} tab(s) still opening or open`);
  if (account.held > 0n)
    problems.push(`${moneyToWire({ currency: customer.currency, minor: account.held }).value} held`);
  if (account.balance !== 0n)
    problems.push(`a balance of ${signedMoneyToWire(customer.currency, account.balance).value} ${customer.currency}`);
  if (problems.length > 0)
    throw new OpentabError('account_busy', `Account ${customer.accountId} has ${problems.join(', ')}.`);
}

export function operationsBindings(context: OperatorContext): RouteBinding[] {
  const api = ADMIN_OPERATIONS_API;
  return [
    bind(api.searchCustomers, (_, { query }) => {
      const q = query as v.InferOutput<typeof CustomerSearch>;
      return context.storage.transaction(async (tx) => {
        const customers = await tx.customers.searchCustomers({
          limit: limitOf(q.limit),
          ...(q.text !== undefined ? { text: q.text } : {}),
          ...(q.status !== undefined ? { status: q.status } : {}),
        });
        const summaries = [];
        for (const customer of customers) summaries.push(await customerSummary(tx, customer));
        return summaries;
      });
    }),

    bind(api.setCustomerStatus, async (body, { params, request }) => {
      const summary = await changeWithLogLine(context, request, async (tx) => {
        const customer = await requireCustomer(tx, params.accountId!);
        if (customer.status === body.status) return customerSummary(tx, customer);
        if (customer.status === 'closed')
          throw new OpentabError('account_closed', `Account ${customer.accountId} is closed, for good.`);
        if (body.status === 'closed') {
          await assertClosable(tx, customer);
          await tx.ledger.setMinBalance(ledgerAccount.customer(customer.accountId), 0n);
        }
        await tx.customers.setCustomerStatus(customer.accountId, body.status, body.reason);
        return customerSummary(tx, await requireCustomer(tx, customer.accountId));
      });
      context.log.info('customer.status', { account: summary.accountId, status: body.status, reason: body.reason });
      return summary;
    }),

    bind(api.setCreditLimit, async (body, { params, request }) => {
      const view = await changeWithLogLine(context, request, async (tx) => {
        const customer = await requireCustomer(tx, params.accountId!);
        if (customer.status === 'closed') throw new OpentabError('account_closed');
        const limit = moneyFromWire(body.creditLimit);
        if (limit.currency !== customer.currency)
          throw new OpentabError('currency_mismatch', `The credit limit must be in ${customer.currency}.`);
        try {
          await tx.ledger.setMinBalance(ledgerAccount.customer(customer.accountId), -limit.minor);
        } catch (error) {
          if (!isLedgerError(error)) throw error;
          const account = await tx.ledger.getAccount(ledgerAccount.customer(customer.accountId));
          const used = account.held - account.balance;
          throw new OpentabError(
            'credit_limit_below_use',
            `Account ${customer.accountId} uses ${signedMoneyToWire(customer.currency, used).value} ${customer.currency} now (balance and holds).`,
          );
        }
        return accountViewIn(context, tx, customer);
      });
      context.log.info('customer.credit-limit', { account: view.accountId, creditLimit: body.creditLimit.value });
      return view;
    }),

    bind(api.listMerchants, (_, { query }) =>
      context.storage.transaction(async (tx) => {
        const merchants = await tx.merchants.merchants(limitOf((query as { limit?: string }).limit));
        const summaries = [];
        for (const merchant of merchants) summaries.push(await merchantSummary(context, tx, merchant));
        return summaries;
      }),
    ),

    bind(api.setMerchantStatus, async (body, { params, request }) => {
      const summary = await changeWithLogLine(context, request, async (tx) => {
        const merchant = await requireMerchant(tx, params.merchantId!);
        await tx.merchants.setMerchantStatus(merchant.merchantId, body.status, body.reason);
        return merchantSummary(context, tx, await requireMerchant(tx, merchant.merchantId));
      });
      context.log.info('merchant.status', { merchant: summary.merchantId, status: body.status, reason: body.reason });
      return summary;
    }),

    bind(api.searchTabs, async (_, { query }) => {
      const q = query as v.InferOutput<typeof TabSearch>;
      return (
        await context.storage.tabs.searchTabs({
          limit: limitOf(q.limit),
          ...(q.merchantId !== undefined ? { merchantId: q.merchantId } : {}),
          ...(q.state !== undefined ? { state: q.state } : {}),
          ...(q.from !== undefined ? { from_ms: timeOf(q.from) } : {}),
          ...(q.until !== undefined ? { until_ms: timeOf(q.until) } : {}),
        })
      ).map(tabSummary);
    }),

    bind(api.searchTransactions, async (_, { query }) => {
      const q = query as v.InferOutput<typeof TransactionSearch>;
      return (
        await context.storage.transactions.searchTransactions({
          limit: limitOf(q.limit),
          ...(q.accountId !== undefined ? { accountId: q.accountId } : {}),
          ...(q.merchantId !== undefined ? { merchantId: q.merchantId } : {}),
          ...(q.state !== undefined ? { state: q.state } : {}),
          ...(q.from !== undefined ? { from_ms: timeOf(q.from) } : {}),
          ...(q.until !== undefined ? { until_ms: timeOf(q.until) } : {}),
        })
      ).map(transactionSummary);
    }),

    bind(
      api.tabStory,
      (_, { params }): Promise<v.InferOutput<typeof TabStory>> =>
        context.storage.transaction(async (tx) => {
          const tab = await requireTab(tx, params.tabId!);
          const resolution = await tx.tabs.resolutionOfTab(tab.tabId);
          const story = {
            tab: tabSummary(tab),
            chain: { root: tab.chain.root, length: tab.chain.length, unit: tab.chain.unit },
            customerRecord: readRecord(context, tab, tab.customerRecord),
            merchantRecord: readRecord(context, tab, tab.merchantRecord),
            lateRecords: (await tx.tabs.lateRecordsOfTab(tab.tabId)).map((late) => ({
              recordId: late.recordId,
              party: late.party,
              receivedAt: formatTimestamp(late.receivedAt),
              effect: late.effect,
            })),
            disputes: (await tx.tabs.disputesOfTab(tab.tabId)).map((dispute) => ({
              disputeId: dispute.disputeId,
              createdAt: formatTimestamp(dispute.createdAt),
              reason: dispute.reason,
              cleared: moneyToWire({ currency: tab.currency, minor: dispute.cleared_minor }),
            })),
            resolution:
              resolution === null ? null : resolutionView(tab, resolution, await decidedByOf(tx, resolution.disputeId)),
            refunds: (await tx.refunds.refundsOfTab(tab.tabId)).map((refund) => refundView(tab, refund)),
            ledger: (await tx.ledger.listEntries({ ref: tab.tabId })).map((entry) => ({
              entryId: entry.id,
              at: formatTimestamp(entry.createdAt),
              memo: entry.memo,
              postings: entry.postings.map((posting) => ({
                accountId: posting.accountId,
                amount: signedMoneyToWire(posting.currency, posting.amount),
              })),
            })),
            messages: (await tx.tabs.outboxRowsMentioning(tab.tabId)).map((row) => ({
              recordId: row.recordId,
              destination: row.destination,
              createdAt: formatTimestamp(row.createdAt),
              attempts: row.attempts,
              deliveredAt: row.deliveredAt === null ? null : formatTimestamp(row.deliveredAt),
              lastError: row.lastError,
            })),
          };
          return { ...story, events: tabEvents(tab, story) };
        }),
    ),

    bind(
      api.getDispute,
      (_, { params }): Promise<v.InferOutput<typeof DisputeDetail>> =>
        context.storage.transaction(async (tx) => {
          const dispute = await tx.tabs.dispute(params.disputeId!);
          if (dispute === null) throw new OpentabError('unknown_dispute');
          const tab = await requireTab(tx, dispute.tabId);
          const resolution = await tx.tabs.resolutionOfTab(tab.tabId);
          const money = (minor: bigint) => moneyToWire({ currency: tab.currency, minor });
          return {
            disputeId: dispute.disputeId,
            tabId: tab.tabId,
            merchantId: tab.merchantId,
            customerOperatorId: tab.customerOperatorId,
            createdAt: formatTimestamp(dispute.createdAt),
            reason: dispute.reason,
            deposit: money(tab.deposit_minor),
            clearedOnProof: money(dispute.cleared_minor),
            cleared: money(tab.cleared_minor ?? 0n),
            customerRecord: readRecord(context, tab, dispute.customerRecord),
            merchantRecord: readRecord(context, tab, dispute.merchantRecord),
            resolution:
              resolution === null ? null : resolutionView(tab, resolution, await decidedByOf(tx, resolution.disputeId)),
          };
        }),
    ),

    bind(api.resolveDispute, async (body, { params, now_ms, request }) => {
      const { tab, resolution } = await changeWithLogLine(context, request, async (tx) => {
        const dispute = await tx.tabs.dispute(params.disputeId!);
        if (dispute === null) throw new OpentabError('unknown_dispute');
        const tab = await requireTab(tx, dispute.tabId);
        let cleared_minor: bigint | undefined;
        if (body.decision === 'adjust') {
          if (body.cleared === undefined)
            throw new OpentabError('invalid_message', 'An adjustment names what the tab clears: cleared.', [
              'cleared: missing',
            ]);
          const cleared = moneyFromWire(body.cleared);
          if (cleared.currency !== tab.currency)
            throw new OpentabError('currency_mismatch', `Tab ${tab.tabId} clears in ${tab.currency}.`);
          cleared_minor = cleared.minor;
        } else if (body.cleared !== undefined) {
          throw new OpentabError('invalid_message', 'An uphold keeps what the chain proves; it names no amount.', [
            'cleared: not allowed with uphold',
          ]);
        }
        const resolution = await resolveDisputeIn(
          context,
          tx,
          {
            disputeId: dispute.disputeId,
            decision: body.decision,
            reason: body.reason,
            ...(cleared_minor !== undefined ? { cleared_minor } : {}),
          },
          now_ms,
        );
        return { tab, resolution };
      });
      return resolutionView(tab, resolution, actorOf(request));
    }),

    bind(api.listOutbox, async (_, { query }) => {
      const q = query as v.InferOutput<typeof OutboxQuery>;
      const messages = await context.storage.outbox.undelivered((q.state ?? 'failing') === 'failing', limitOf(q.limit));
      return messages.map((message) => ({
        ...message,
        createdAt: formatTimestamp(message.createdAt),
        nextAttemptAt: formatTimestamp(message.nextAttemptAt),
      }));
    }),

    bind(api.retryOutbox, async (body, { now_ms, request }) => {
      const scheduled = await changeWithLogLine(context, request, (tx) => tx.outbox.retryNow(now_ms, body.recordIds));
      context.log.info('outbox.retry', { scheduled });
      return { scheduled };
    }),

    bind(api.publishRates, async (_, { now_ms, request }) => {
      const issued = await changeWithLogLine(context, request, (tx) => context.rates.publishNow(tx.rateTables, now_ms));
      context.rates.handOutFromNow(issued);
      const { payload } = issued.envelope;
      return {
        tableId: payload.id,
        issuedAt: payload.issuedAt,
        validUntil: payload.validUntil,
        source: payload.source!,
      };
    }),

    bind(api.figures, (_, { now_ms }): Promise<v.InferOutput<typeof Figures>> => figuresOf(context, now_ms)),
    bind(api.figureHistory, (_, { now_ms }): v.InferOutput<typeof Figures>[] => context.figureHistory.recent(now_ms)),
  ];
}

export function figuresOf(context: OperatorContext, now_ms: number): Promise<v.InferOutput<typeof Figures>> {
  return context.storage.transaction((tx) => figuresIn(context, tx, now_ms));
}

async function figuresIn(context: OperatorContext, tx: Tx, now_ms: number): Promise<v.InferOutput<typeof Figures>> {
  const figures = await tx.tabs.figures();
  const holds = new Map<string, { holds: number; total_minor: bigint }>();
  const currencies = new Map<string, string>();
  for (const hold of await tx.ledger.listHolds({ status: 'pending' })) {
    let currency = currencies.get(hold.accountId);
    if (currency === undefined) {
      currency = (await tx.ledger.getAccount(hold.accountId)).currency;
      currencies.set(hold.accountId, currency);
    }
    const sum = holds.get(currency) ?? { holds: 0, total_minor: 0n };
    holds.set(currency, { holds: sum.holds + 1, total_minor: sum.total_minor + hold.amount });
  }
  return {
    at: formatTimestamp(now_ms),
    tabsByState: { ...figures.tabsByState },
    transactionsByState: { ...figures.transactionsByState },
    clearedByCurrency: figures.clearedByCurrency.map((line) => ({
      currency: line.currency,
      tabs: line.tabs,
      total: moneyToWire({ currency: line.currency, minor: line.total_minor }),
    })),
    holdsPending: [...holds].map(([currency, sum]) => ({
      currency,
      holds: sum.holds,
      total: moneyToWire({ currency, minor: sum.total_minor }),
    })),
    disputes: { total: figures.disputes, resolved: figures.disputesResolved },
    outbox: { ...figures.outbox },
    customers: { ...figures.customersByStatus },
    merchants: { ...figures.merchantsByStatus },
    traffic: context.traffic.recent(now_ms),
  };
}
