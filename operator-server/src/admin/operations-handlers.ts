// Handlers of the staff's routes (admin-operations-api.ts): translations between the API's shapes
// and the store, the ledger and the MTA's dispute resolution. Rules about what a status means live
// where the status is enforced (customer-auth.ts, initiation.ts, merchant-lookup.ts,
// tab-registration.ts); here only what may change into what.

import type * as v from 'valibot';
import { OpentabError } from '@opentab/protocol';
import { moneyFromWire, moneyToWire, signedMoneyToWire } from '@opentab/protocol';
import { formatTimestamp, parseTimestamp } from '@opentab/protocol';
import { provesIndex } from '@opentab/protocol';
import type { CustomerRecord, MerchantRecord } from '@opentab/protocol';
import { accountView } from '../account-manager/account-view';
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
import { resolveDispute, type SignedDisputeResolution } from '../mta/dispute-resolution';
import type { OperatorContext } from '../operator-context';
import type { Customer, DisputeResolution, Merchant, Tab, Transaction } from '../store/records';
import { tabEvents } from './tab-story';
import { certificatesOf } from '../mta/issued-certificates';
import { revocationView } from './trust-handlers';
import { actorOf } from '../staff/actor';

const DEFAULT_LIMIT = 100;
const limitOf = (limit: string | undefined): number => (limit === undefined ? DEFAULT_LIMIT : Number(limit));
const timeOf = (timestamp: string | undefined): number | undefined =>
  timestamp === undefined ? undefined : parseTimestamp(timestamp)!;

function customerSummary(context: OperatorContext, customer: Customer): v.InferOutput<typeof CustomerSummary> {
  const account = context.ledger.getAccount(ledgerAccount.customer(customer.accountId));
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

function revocationOf(context: OperatorContext, merchantId: string) {
  const revocation = context.revocations.of('merchant', merchantId);
  return revocation === null ? null : revocationView(revocation);
}

function merchantSummary(context: OperatorContext, merchant: Merchant): v.InferOutput<typeof MerchantSummary> {
  const account = context.ledger.findAccount(ledgerAccount.merchant(merchant.merchantId));
  const certificates = certificatesOf(context.db, merchant.merchantId);
  return {
    merchantId: merchant.merchantId,
    displayName: merchant.displayName,
    currency: merchant.currency,
    agentUrl: merchant.agentUrl,
    origins: [...merchant.origins],
    status: merchant.status ?? 'active',
    statusReason: merchant.statusReason ?? null,
    revocation: revocationOf(context, merchant.merchantId),
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
export async function decidedByOf(context: OperatorContext, disputeId: string): Promise<string | null> {
  const decisions = (await context.storage.staff.actionsOn([disputeId])).filter(
    (action) => action.action === 'resolveDispute',
  );
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

function requireCustomer(context: OperatorContext, accountId: string): Customer {
  const customer = context.store.customer(accountId);
  if (customer === null) throw new OpentabError('unknown_account');
  return customer;
}

function requireMerchant(context: OperatorContext, merchantId: string): Merchant {
  const merchant = context.store.merchant(merchantId);
  if (merchant === null) throw new OpentabError('unknown_merchant');
  return merchant;
}

function requireTab(context: OperatorContext, tabId: string): Tab {
  const tab = context.store.tab(tabId);
  if (tab === null) throw new OpentabError('unknown_tab');
  return tab;
}

/**
 * Closing is final, so it needs an account with nothing left in flight or owed: no tab opening or
 * open (their holds are pending) and a balance of zero (a debt is collected, or a prepaid credit
 * paid out, before the account goes).
 */
function assertClosable(context: OperatorContext, customer: Customer): void {
  const unfinished = context.store.unfinishedTransactionsOfAccount(customer.accountId);
  const account = context.ledger.getAccount(ledgerAccount.customer(customer.accountId));
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
      return context.store
        .searchCustomers({
          limit: limitOf(q.limit),
          ...(q.text !== undefined ? { text: q.text } : {}),
          ...(q.status !== undefined ? { status: q.status } : {}),
        })
        .map((customer) => customerSummary(context, customer));
    }),

    bind(api.setCustomerStatus, (body, { params }) =>
      context.db.transaction(() => {
        const customer = requireCustomer(context, params.accountId!);
        if (customer.status === body.status) return customerSummary(context, customer);
        if (customer.status === 'closed')
          throw new OpentabError('account_closed', `Account ${customer.accountId} is closed, for good.`);
        if (body.status === 'closed') {
          assertClosable(context, customer);
          context.ledger.setMinBalance(ledgerAccount.customer(customer.accountId), 0n);
        }
        context.store.setCustomerStatus(customer.accountId, body.status, body.reason);
        context.log.info('customer.status', { account: customer.accountId, status: body.status, reason: body.reason });
        return customerSummary(context, requireCustomer(context, customer.accountId));
      })(),
    ),

    bind(api.setCreditLimit, (body, { params }) => {
      const customer = requireCustomer(context, params.accountId!);
      if (customer.status === 'closed') throw new OpentabError('account_closed');
      const limit = moneyFromWire(body.creditLimit);
      if (limit.currency !== customer.currency)
        throw new OpentabError('currency_mismatch', `The credit limit must be in ${customer.currency}.`);
      try {
        context.ledger.setMinBalance(ledgerAccount.customer(customer.accountId), -limit.minor);
      } catch (error) {
        if (!isLedgerError(error)) throw error;
        const account = context.ledger.getAccount(ledgerAccount.customer(customer.accountId));
        const used = account.held - account.balance;
        throw new OpentabError(
          'credit_limit_below_use',
          `Account ${customer.accountId} uses ${signedMoneyToWire(customer.currency, used).value} ${customer.currency} now (balance and holds).`,
        );
      }
      context.log.info('customer.credit-limit', { account: customer.accountId, creditLimit: body.creditLimit.value });
      return accountView(context, customer);
    }),

    bind(api.listMerchants, (_, { query }) =>
      context.store
        .merchants(limitOf((query as { limit?: string }).limit))
        .map((merchant) => merchantSummary(context, merchant)),
    ),

    bind(api.setMerchantStatus, (body, { params }) => {
      const merchant = requireMerchant(context, params.merchantId!);
      context.store.setMerchantStatus(merchant.merchantId, body.status, body.reason);
      context.log.info('merchant.status', { merchant: merchant.merchantId, status: body.status, reason: body.reason });
      return merchantSummary(context, requireMerchant(context, merchant.merchantId));
    }),

    bind(api.searchTabs, (_, { query }) => {
      const q = query as v.InferOutput<typeof TabSearch>;
      return context.store
        .searchTabs({
          limit: limitOf(q.limit),
          ...(q.merchantId !== undefined ? { merchantId: q.merchantId } : {}),
          ...(q.state !== undefined ? { state: q.state } : {}),
          ...(q.from !== undefined ? { from_ms: timeOf(q.from) } : {}),
          ...(q.until !== undefined ? { until_ms: timeOf(q.until) } : {}),
        })
        .map(tabSummary);
    }),

    bind(api.searchTransactions, (_, { query }) => {
      const q = query as v.InferOutput<typeof TransactionSearch>;
      return context.store
        .searchTransactions({
          limit: limitOf(q.limit),
          ...(q.accountId !== undefined ? { accountId: q.accountId } : {}),
          ...(q.merchantId !== undefined ? { merchantId: q.merchantId } : {}),
          ...(q.state !== undefined ? { state: q.state } : {}),
          ...(q.from !== undefined ? { from_ms: timeOf(q.from) } : {}),
          ...(q.until !== undefined ? { until_ms: timeOf(q.until) } : {}),
        })
        .map(transactionSummary);
    }),

    bind(api.tabStory, async (_, { params }): Promise<v.InferOutput<typeof TabStory>> => {
      const tab = requireTab(context, params.tabId!);
      const resolution = context.store.resolutionOfTab(tab.tabId);
      const story = {
        tab: tabSummary(tab),
        chain: { root: tab.chain.root, length: tab.chain.length, unit: tab.chain.unit },
        customerRecord: readRecord(context, tab, tab.customerRecord),
        merchantRecord: readRecord(context, tab, tab.merchantRecord),
        lateRecords: context.store.lateRecordsOfTab(tab.tabId).map((late) => ({
          recordId: late.recordId,
          party: late.party,
          receivedAt: formatTimestamp(late.receivedAt),
          effect: late.effect,
        })),
        disputes: context.store.disputesOfTab(tab.tabId).map((dispute) => ({
          disputeId: dispute.disputeId,
          createdAt: formatTimestamp(dispute.createdAt),
          reason: dispute.reason,
          cleared: moneyToWire({ currency: tab.currency, minor: dispute.cleared_minor }),
        })),
        resolution:
          resolution === null
            ? null
            : resolutionView(tab, resolution, await decidedByOf(context, resolution.disputeId)),
        ledger: context.ledger.listEntries({ ref: tab.tabId }).map((entry) => ({
          entryId: entry.id,
          at: formatTimestamp(entry.createdAt),
          memo: entry.memo,
          postings: entry.postings.map((posting) => ({
            accountId: posting.accountId,
            amount: signedMoneyToWire(posting.currency, posting.amount),
          })),
        })),
        messages: context.store.outboxRowsMentioning(tab.tabId).map((row) => ({
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

    bind(api.getDispute, async (_, { params }): Promise<v.InferOutput<typeof DisputeDetail>> => {
      const dispute = context.store.dispute(params.disputeId!);
      if (dispute === null) throw new OpentabError('unknown_dispute');
      const tab = requireTab(context, dispute.tabId);
      const resolution = context.store.resolutionOfTab(tab.tabId);
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
          resolution === null
            ? null
            : resolutionView(tab, resolution, await decidedByOf(context, resolution.disputeId)),
      };
    }),

    bind(api.resolveDispute, (body, { params, now_ms, request }) => {
      const dispute = context.store.dispute(params.disputeId!);
      if (dispute === null) throw new OpentabError('unknown_dispute');
      const tab = requireTab(context, dispute.tabId);
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
      const resolution = resolveDispute(
        context,
        {
          disputeId: dispute.disputeId,
          decision: body.decision,
          reason: body.reason,
          ...(cleared_minor !== undefined ? { cleared_minor } : {}),
        },
        now_ms,
      );
      return resolutionView(tab, resolution, actorOf(request));
    }),

    bind(api.listOutbox, (_, { query }) => {
      const q = query as v.InferOutput<typeof OutboxQuery>;
      return context.outbox.undelivered((q.state ?? 'failing') === 'failing', limitOf(q.limit)).map((message) => ({
        ...message,
        createdAt: formatTimestamp(message.createdAt),
        nextAttemptAt: formatTimestamp(message.nextAttemptAt),
      }));
    }),

    bind(api.retryOutbox, (body, { now_ms }) => {
      const scheduled = context.outbox.retryNow(now_ms, body.recordIds);
      context.log.info('outbox.retry', { scheduled });
      return { scheduled };
    }),

    bind(api.publishRates, (_, { now_ms }) => {
      const { payload } = context.rates.publishNow(now_ms).envelope;
      return {
        tableId: payload.id,
        issuedAt: payload.issuedAt,
        validUntil: payload.validUntil,
        source: payload.source!,
      };
    }),

    bind(api.figures, (_, { now_ms }): v.InferOutput<typeof Figures> => figuresOf(context, now_ms)),
  ];
}

export function figuresOf(context: OperatorContext, now_ms: number): v.InferOutput<typeof Figures> {
  const figures = context.store.figures();
  const holds = new Map<string, { holds: number; total_minor: bigint }>();
  for (const hold of context.ledger.listHolds({ status: 'pending' })) {
    const currency = context.ledger.getAccount(hold.accountId).currency;
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
