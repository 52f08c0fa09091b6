// The customer agent assembled from its parts. Everything it knows lives in the database and the
// session area, so building a new agent over the same two is exactly what a restarted service
// worker does. What a click reads (wallet keys, settings, open tabs) the parts also keep in
// memory, written through; a new agent starts without those copies.

import type { CryptoProvider } from '@opentab/protocol';
import type { PageCallMessage, PageCallResult } from '../messaging/page-calls';
import type { UiCall, UiCallMessage, UiCallResult } from '../messaging/ui-calls';
import type { BridgeCall } from '@opentab/protocol';
import { createPageHandler } from './bridge/page-handler';
import { createUiHandler } from './bridge/ui-handler';
import type { DeliveryCallMessage, DeliveryCallResult } from '../messaging/delivery-calls';
import { createDeliveryHandler } from './delivery/delivery-handler';
import { DeliveryRemote } from './delivery/delivery-remote';
import { DeliveryService } from './delivery/delivery-service';
import { memoryDeliveryStore, type DeliveryStore } from './delivery/delivery-store';
import { EntitlementBook } from './entitlements/entitlement-book';
import { IdleLock } from './keys/idle-lock';
import { BROWSER_SCRYPT_COST, type ScryptCost } from './keys/passphrase-box';
import { Vault } from './keys/vault';
import { RulesService } from './limits/rules-service';
import type { AgentPorts, AlarmName } from './ports';
import { RateService } from './rates/rate-service';
import type { AgentDatabase } from './storage/database';
import { withEntitlementCache } from './storage/entitlement-cache';
import { withMetaCache } from './storage/meta-cache';
import type { SessionArea } from './storage/session-area';
import { ConfirmationBroker } from './tabs/confirmation-broker';
import { UnlockPrompt } from './keys/unlock-prompt';
import { UiUpdates } from './bridge/ui-updates';
import { InDoubtRetry } from './tabs/in-doubt-retry';
import { MerchantAgentClient } from './tabs/merchant-agent';
import { OwedReceipts } from './tabs/owed-receipts';
import { Purchaser } from './tabs/purchaser';
import { RecordOutbox } from './tabs/record-outbox';
import { TabBook } from './tabs/tab-book';
import { TabCloser } from './tabs/tab-closer';
import { TabExpiryAlarm } from './tabs/tab-expiry-alarm';
import { TabKeyring } from './tabs/tab-keyring';
import { TabOpener } from './tabs/tab-opener';
import { TabService, type PageCaller } from './tabs/tab-service';
import { OperatorLink } from './wallet/operator-link';
import { WalletService } from './wallet/wallet-service';
import { DEFAULT_PREFERENCES } from './wallet/preferences';

export interface AgentDependencies {
  readonly db: AgentDatabase;
  readonly session: SessionArea;
  readonly ports: AgentPorts;
  readonly crypto: CryptoProvider;
  /** Lowered only by tests: the browser always uses BROWSER_SCRYPT_COST. */
  readonly scryptCost?: ScryptCost;
  /** Where deliveries are kept (their own IndexedDB database in the browser); in memory when absent. */
  readonly deliveryStore?: DeliveryStore;
}

export interface CustomerAgent {
  readonly wallet: WalletService;
  readonly tabs: TabService;
  readonly rates: RateService;
  readonly outbox: RecordOutbox;
  readonly broker: ConfirmationBroker;
  readonly unlockPrompt: UnlockPrompt;
  readonly updates: UiUpdates;
  readonly deliveries: DeliveryService;
  handleDeliveryCall(message: DeliveryCallMessage): Promise<DeliveryCallResult>;
  handlePageCall(message: PageCallMessage, caller: PageCaller): Promise<PageCallResult>;
  handleUiCall(message: UiCallMessage): Promise<UiCallResult>;
  onAlarm(name: AlarmName): Promise<void>;
  /** What a (re)started worker does first: lock if idle too long, finish what was left pending (records,
   * expired tabs, purchases in doubt). */
  onStartup(): Promise<void>;
  /** A first install greets the customer with the options page, where the wallet is created and enrolled. */
  onInstalled(reason: InstallReason): Promise<void>;
}

/** Calls that only read: nothing a page shows changes because of them (quoting a deposit holds nothing). */
const UI_READS: ReadonlySet<UiCall> = new Set<UiCall>([
  'getOverview',
  'getAccount',
  'getSettings',
  'getHistory',
  'exportHistoryCsv',
  'exportBackup',
  'getConfirmation',
  'quoteDeposit',
]);
const PAGE_READS: ReadonlySet<BridgeCall> = new Set<BridgeCall>(['hello', 'tabStatus', 'entitlements']);

/** runtime.onInstalled's reasons, as both browsers name them. */
export type InstallReason = 'install' | 'update' | 'browser_update';

export function createCustomerAgent({
  db: storedDb,
  session,
  ports,
  crypto,
  scryptCost = BROWSER_SCRYPT_COST,
  deliveryStore = memoryDeliveryStore(),
}: AgentDependencies): CustomerAgent {
  const { clock, alarms, badge, windows } = ports;
  const db = withEntitlementCache(withMetaCache(storedDb));
  const vault = new Vault(db, session, crypto, scryptCost);
  const link = new OperatorLink(db, vault, crypto, clock, ports.fetch);
  const rates = new RateService(db, link, crypto, clock, alarms);
  const rules = new RulesService(db, clock);
  const keyring = new TabKeyring(vault, crypto);
  const idleLockMs = async () => ((await db.meta.get('preferences')) ?? DEFAULT_PREFERENCES).idleLock_min * 60_000;
  const idleLock = new IdleLock(vault, session, alarms, clock, idleLockMs);
  const wallet = new WalletService(db, vault, idleLock, link, rates, rules, keyring, clock, scryptCost);
  const book = new TabBook(db);
  const merchants = new MerchantAgentClient(ports.fetch);
  const outbox = new RecordOutbox(db, link, alarms, clock, book, crypto);
  const broker = new ConfirmationBroker(windows, crypto);
  const unlockPrompt = new UnlockPrompt(windows);
  const owed = new OwedReceipts(db, clock);
  const purchaser = new Purchaser(book, keyring, merchants, owed, crypto, clock);
  const closer = new TabCloser(book, keyring, purchaser, merchants, outbox, crypto, clock);
  const opener = new TabOpener(
    vault,
    link,
    rates,
    rules,
    broker,
    book,
    keyring,
    merchants,
    () => wallet.preferences(),
    crypto,
    clock,
  );
  const expiry = new TabExpiryAlarm(book, alarms);
  const entitlements = new EntitlementBook(db, clock);
  const tabs = new TabService(
    book,
    opener,
    purchaser,
    closer,
    expiry,
    owed,
    new InDoubtRetry(alarms, clock),
    rules,
    badge,
    clock,
    entitlements,
  );

  const deliveries = new DeliveryService({
    store: deliveryStore,
    remote: new DeliveryRemote(ports.fetch),
    tabs,
    book,
    keyring,
    vault,
    db,
    windows,
    crypto,
    clock,
  });
  const deliveryHandler = createDeliveryHandler(deliveries);

  const updates = new UiUpdates();
  const pageHandler = createPageHandler({ wallet, rates, tabs, entitlements, unlockPrompt, deliveries });
  const uiHandler = createUiHandler({
    wallet,
    rates,
    rules,
    tabs,
    book,
    outbox,
    broker,
    unlockPrompt,
    updates,
    merchants,
    clock,
    db,
  });
  // Whatever acts may change what the pages show: they are told to look again once it is done.
  const handlePageCall: CustomerAgent['handlePageCall'] = async (message, caller) => {
    const result = await pageHandler(message, caller);
    if (!PAGE_READS.has(message.call)) updates.changed();
    return result;
  };
  const handleUiCall: CustomerAgent['handleUiCall'] = async (message) => {
    const result = await uiHandler(message);
    if (!UI_READS.has(message.call)) updates.changed();
    return result;
  };

  async function runAlarm(name: AlarmName): Promise<void> {
    switch (name) {
      case 'idle-lock':
        if (await idleLock.lockIfIdle()) keyring.forgetAll();
        return;
      case 'rates-refresh':
        // An operator that cannot be reached is asked again soon, so rates come back without a click.
        await rates.refresh().catch(() => rates.retrySoon());
        return;
      case 'outbox-retry':
        await finishPendingWork().catch(() => undefined);
        return;
      case 'tab-expiry':
        // Locked, the tab keys are out of reach: the merchant's record alone clears the tab,
        // and the customer's follows when a worker next starts with the wallet unlocked.
        if ((await wallet.state()) === 'ready') await tabs.closeExpired().catch(() => undefined);
        return;
      case 'purchase-retry':
        // Re-sending a purchase needs no key (it is stored signed by its chain link), so this runs locked too.
        await tabs.retryInDoubt().catch(() => undefined);
        return;
    }
  }

  async function finishPendingWork(): Promise<void> {
    // Records are signed already and go out even while locked; closing a tab needs its key.
    await outbox.retryAll();
    if ((await wallet.state()) === 'ready') await tabs.closeExpired();
  }

  return {
    wallet,
    tabs,
    rates,
    outbox,
    broker,
    unlockPrompt,
    updates,
    deliveries,
    async handleDeliveryCall(message) {
      const result = await deliveryHandler(message);
      // A delivery that moved changes what the popup lists (and a paid accept, the tab).
      if (message.call !== 'getDelivery' && message.call !== 'listDeliveries') updates.changed();
      return result;
    },
    handlePageCall,
    handleUiCall,
    async onAlarm(name) {
      await runAlarm(name);
      updates.changed();
    },
    async onInstalled(reason) {
      // An update or a wallet restored by hand needs no greeting.
      if (reason === 'install' && (await wallet.state()) === 'uninitialised') await windows.openOptionsPage();
    },
    async onStartup() {
      if ((await vault.state()) === 'unlocked' && (await idleLock.lockIfIdle())) keyring.forgetAll();
      await finishPendingWork().catch(() => undefined);
      // A purchase the last worker left in doubt is re-sent now; its alarm may be minutes away.
      await tabs.retryInDoubt().catch(() => undefined);
    },
  };
}
