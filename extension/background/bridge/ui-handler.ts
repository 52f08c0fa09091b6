// The extension's own pages → background. One implementation per UiCalls entry; any activity
// here counts against the idle lock.

import type { UiCall, UiCallMessage, UiCallResult, UiCalls } from '../../messaging/ui-calls';
import { failed, succeeded } from '../../messaging/result';
import type { AccountView } from '@opentab/protocol';
import type {
  AccountSummaryView,
  ClosedTabView,
  OverviewView,
  PurchaseView,
  SettingsView,
} from '../../messaging/views';
import { AgentError, asAgentError, walletLocked } from '../errors';
import { holdsSoFar } from '../limits/holds-so-far';
import { holdsViews, limitsView, merchantViews, parseCustomerAmount, rulesWithLimits } from '../limits/limits-views';
import type { RulesService } from '../limits/rules-service';
import type { Clock } from '../ports';
import type { AgentDatabase } from '../storage/database';
import type { RateService } from '../rates/rate-service';
import type { UnlockPrompt } from '../keys/unlock-prompt';
import { settlingAtOperator, type UiUpdates } from './ui-updates';
import type { ConfirmationBroker } from '../tabs/confirmation-broker';
import type { MerchantAgentClient } from '../tabs/merchant-agent';
import type { TabBook } from '../tabs/tab-book';
import type { RecordOutbox } from '../tabs/record-outbox';
import { capUseOf } from '../tabs/tab-record';
import type { TabService } from '../tabs/tab-service';
import { closedTabViews, pendingPurchaseView, purchaseView, tabView } from '../tabs/tab-views';
import { historyCsv } from '../wallet/history-csv';
import type { WalletService } from '../wallet/wallet-service';
import { formatTimestamp } from '@opentab/protocol';

export interface UiHandlerParts {
  readonly wallet: WalletService;
  readonly rates: RateService;
  readonly rules: RulesService;
  readonly tabs: TabService;
  readonly book: TabBook;
  readonly outbox: RecordOutbox;
  readonly broker: ConfirmationBroker;
  readonly unlockPrompt: UnlockPrompt;
  readonly updates: UiUpdates;
  readonly merchants: MerchantAgentClient;
  readonly clock: Clock;
  readonly db: AgentDatabase;
}

type UiHandlers = { [C in UiCall]: (params: UiCalls[C]['params']) => Promise<UiCalls[C]['result']> };

const RECENT_PURCHASES = 10;
const RECENT_CLOSED_TABS = 5;

function accountSummary({ balance, available, creditLimit, held }: AccountView): AccountSummaryView {
  return { balance, available, creditLimit, held };
}

function uiHandlers(parts: UiHandlerParts): UiHandlers {
  const { wallet, rates, rules, tabs, book, outbox, broker, unlockPrompt, updates, merchants, clock, db } = parts;

  /** Purchases still pending (sent, unanswered), then those paid, newest first. */
  async function purchaseViews(): Promise<PurchaseView[]> {
    const pending = (await book.active()).flatMap((tab) =>
      tab.phase === 'open' && tab.pendingPurchase
        ? [
            pendingPurchaseView(
              tab,
              tab.pendingPurchase,
              merchants.knownTitle(tab.merchantCertificate.payload, tab.pendingPurchase.itemId),
              clock.now_ms(),
            ),
          ]
        : [],
    );
    return [...pending, ...(await paidPurchaseViews()).reverse()];
  }

  /** Every paid purchase, the oldest first, each converted at its own tab's locked rate. */
  async function paidPurchaseViews(): Promise<PurchaseView[]> {
    const tabs = new Map((await book.all()).map((tab) => [tab.localId, tab]));
    return (await book.allPurchases()).map((purchase) => purchaseView(purchase, tabs.get(purchase.localTabId)));
  }

  /** The account as last read, if it is this enrolment's. */
  async function lastKnown(): Promise<OverviewView['lastKnownAccount']> {
    const [last, enrolment] = await Promise.all([db.meta.get('lastAccount'), wallet.enrolmentOrNull()]);
    if (!last || last.accountId !== enrolment?.accountId) return null;
    return { account: last.account, at: formatTimestamp(last.at_ms) };
  }

  async function overview(): Promise<OverviewView> {
    const walletState = await wallet.state();
    let account: OverviewView['account'] = null;
    let accountProblem: string | null = null;
    const active = await book.active();
    let closedTabs: ClosedTabView[] = [];
    let lastKnownAccount: OverviewView['lastKnownAccount'] = null;
    if (walletState === 'ready') {
      try {
        const read = await wallet.account();
        account = accountSummary(read);
        await db.meta.put('lastAccount', { accountId: read.accountId, account, at_ms: clock.now_ms() });
        closedTabs = closedTabViews(read.tabs, await book.all()).slice(0, RECENT_CLOSED_TABS);
        updates.accountRead(
          settlingAtOperator(
            read.tabs,
            new Set(active.flatMap((tab) => (tab.phase === 'open' ? [tab.transactionId] : []))),
          ),
        );
      } catch (error) {
        accountProblem = asAgentError(error).message;
        lastKnownAccount = await lastKnown();
      }
    }
    return {
      walletState,
      operator: await wallet.operatorView(),
      account,
      accountProblem,
      lastKnownAccount,
      tabs: active.map(tabView),
      recentPurchases: (await purchaseViews()).slice(0, RECENT_PURCHASES),
      closedTabs,
      rates: await rates.status(),
      pendingRecords: (await outbox.pending()).length,
    };
  }

  async function settings(): Promise<SettingsView> {
    const preferences = await wallet.preferences();
    const enrolment = await wallet.enrolmentOrNull();
    if (!enrolment) {
      return { currency: null, limits: null, ...preferences, merchants: [], heldToday: null, heldThisMonth: null };
    }
    const current = await rules.get();
    const tabs = await book.all();
    const deposits = tabs.flatMap((tab) => capUseOf(tab) ?? []);
    return {
      currency: enrolment.currency,
      limits: limitsView(current),
      ...preferences,
      merchants: merchantViews(current, tabs),
      ...holdsViews(current, holdsSoFar(deposits, clock.now_ms())),
    };
  }

  /** Limits and merchant rules change only in an unlocked wallet: its lock guards them as it guards the money. */
  async function refuseWhileLocked(): Promise<void> {
    if ((await wallet.state()) === 'locked') throw walletLocked();
  }

  return {
    getOverview: overview,
    createWallet: ({ passphrase }) => wallet.create(passphrase),
    unlock: async ({ passphrase }) => {
      const state = await wallet.unlock(passphrase);
      // Payments that asked for the passphrase go on now, wherever it was typed.
      unlockPrompt.unlocked();
      return state;
    },
    lock: () => wallet.lock(),
    enroll: ({ operatorUrl, code }) => wallet.enrol(operatorUrl, code),
    getAccount: async () => accountSummary(await wallet.account()),
    closeTab: async ({ transactionId }) => {
      await wallet.requireReady();
      return tabs.closeByTransactionId(transactionId);
    },
    getSettings: settings,
    setLimits: async ({ limits, tabTimeout_s, idleLock_min }) => {
      await refuseWhileLocked();
      await wallet.setPreferences({ tabTimeout_s, idleLock_min });
      if (await wallet.enrolmentOrNull()) await rules.save(rulesWithLimits(await rules.get(), limits));
      return settings();
    },
    setAllowance: async ({ merchantId, operatorId, displayName, maxDeposit }) => {
      await refuseWhileLocked();
      const current = await rules.get();
      await rules.allow(
        { merchantId, operatorId },
        displayName,
        parseCustomerAmount(current.currency, maxDeposit, 'The allowance'),
      );
      return settings();
    },
    revokeAllowance: async (merchant) => {
      await refuseWhileLocked();
      await rules.revokeAllowance(merchant);
      return settings();
    },
    blockMerchant: async ({ merchantId, operatorId, displayName }) => {
      await refuseWhileLocked();
      await rules.block({ merchantId, operatorId }, displayName);
      // Blocked means no more money goes there: an open tab is closed too, releasing what is unspent.
      await tabs.closeAt({ merchantId, operatorId });
      return settings();
    },
    unblockMerchant: async (merchant) => {
      await refuseWhileLocked();
      await rules.unblock(merchant);
      return settings();
    },
    getHistory: async () => {
      const purchases = await purchaseViews();
      try {
        const read = await wallet.account();
        return {
          purchases,
          statement: read.history,
          statementProblem: null,
          closedTabs: closedTabViews(read.tabs, await book.all()),
        };
      } catch (error) {
        return { purchases, statement: null, statementProblem: asAgentError(error).message, closedTabs: [] };
      }
    },
    exportHistoryCsv: async () => {
      // How each purchase's tab cleared, when the operator can say; the purchases are this wallet's own.
      const closedTabs = await wallet
        .account()
        .then(async (read) => closedTabViews(read.tabs, await book.all()))
        .catch(() => []);
      return {
        filename: `opentab-history-${formatTimestamp(clock.now_ms()).slice(0, 10)}.csv`,
        // What was paid: a purchase still pending is not (yet) one.
        csv: historyCsv(await paidPurchaseViews(), closedTabs),
      };
    },
    exportBackup: ({ passphrase }) => wallet.exportBackup(passphrase),
    restoreBackup: ({ json, passphrase }) => wallet.restoreBackup(json, passphrase),
    refreshRates: async () => {
      await rates.refresh();
      return rates.status();
    },
    getConfirmation: async ({ requestId }) => {
      const view = broker.view(requestId);
      if (!view) throw new AgentError('not_found', 'This confirmation was already answered or has timed out.');
      return view;
    },
    quoteDeposit: async ({ requestId, deposit }) => {
      const quote = broker.quote(requestId, deposit);
      if (!quote) throw new AgentError('not_found', 'This confirmation was already answered or has timed out.');
      return quote;
    },
    confirmDecision: async ({ requestId, decision }) => {
      // A deposit or an allowance that is no amount is refused with the question still open, rather
      // than the tab approved with other terms than the customer typed.
      const question = broker.view(requestId);
      if (question && decision.kind !== 'decline' && decision.deposit !== undefined)
        broker.quote(requestId, decision.deposit);
      if (question && decision.kind === 'approve-and-allow')
        parseCustomerAmount(question.depositCustomer.currency, decision.upTo, 'The allowance');
      return { recorded: broker.decide(requestId, decision) };
    },
  };
}

/** Calls that must not count as activity: the confirm window polling itself keeps nothing unlocked. */
const PASSIVE_CALLS: ReadonlySet<UiCall> = new Set(['getConfirmation', 'quoteDeposit']);

export function createUiHandler(parts: UiHandlerParts) {
  const handlers = uiHandlers(parts);
  return async function handleUiCall(message: UiCallMessage): Promise<UiCallResult> {
    try {
      const handler = handlers[message.call] as (params: unknown) => Promise<UiCalls[UiCall]['result']>;
      const value = await handler(message.params);
      if (!PASSIVE_CALLS.has(message.call) && (await parts.wallet.state()) !== 'locked')
        await parts.wallet.noteActivity().catch(() => undefined);
      return succeeded(value);
    } catch (error) {
      const agentError = asAgentError(error);
      return failed(agentError.code, agentError.message);
    }
  };
}
