// The background entry (Chrome service worker / Firefox background script). Listeners are
// registered synchronously on every start, as MV3 requires; the agent behind them is rebuilt from
// IndexedDB and storage.session each time the worker wakes.

import browser from 'webextension-polyfill';
import { nobleCrypto } from '@opentab/protocol';
import { withWebCryptoEd25519 } from '@opentab/protocol';
import { createCustomerAgent, type CustomerAgent } from './agent';
import { PAGE_PORT_NAME } from '../messaging/page-port';
import { UI_UPDATES_PORT } from '../messaging/ui-updates';
import { classifySender } from './bridge/sender';
import { routeMessage } from './bridge/message-router';
import { servePagePort } from './bridge/page-port';
import { browserPorts, browserSessionArea } from './browser/browser-ports';
import type { AlarmName } from './ports';
import { openIdbDatabase } from './storage/idb-database';
import { openIdbDeliveryStore } from './delivery/delivery-store';

const ALARMS: ReadonlySet<string> = new Set<AlarmName>([
  'idle-lock',
  'rates-refresh',
  'outbox-retry',
  'tab-expiry',
  'purchase-retry',
]);

const agentReady: Promise<CustomerAgent> = Promise.all([openIdbDatabase(), openIdbDeliveryStore()]).then(
  ([db, deliveryStore]) =>
    createCustomerAgent({
      db,
      deliveryStore,
      session: browserSessionArea(browser),
      ports: browserPorts(browser),
      // @noble, with receipts checked by the browser's native Ed25519 where it has one.
      crypto: withWebCryptoEd25519(nobleCrypto, globalThis.crypto?.subtle),
    }),
);

const extension = { id: browser.runtime.id, baseUrl: browser.runtime.getURL('') };

browser.runtime.onMessage.addListener((message: unknown, sender: browser.Runtime.MessageSender) => {
  return agentReady.then((agent) => routeMessage(agent, message, sender, extension));
});

// Content scripts send their page calls over one port per page (extension/messaging/page-port.ts);
// the extension's own pages open one to hear when what they show has changed.
browser.runtime.onConnect.addListener((port) => {
  if (port.name === UI_UPDATES_PORT) {
    if (classifySender(port.sender ?? {}, extension).kind === 'extension-page')
      void agentReady.then((agent) => agent.updates.connect(port));
    return;
  }
  if (port.name !== PAGE_PORT_NAME) return;
  const sender = port.sender ?? {};
  servePagePort(port, {
    route: (message) => agentReady.then((agent) => routeMessage(agent, message, sender, extension)),
    // An extension API call counts as activity in both browsers (a port message alone does not in Firefox).
    keepAwake: () => void browser.runtime.getPlatformInfo().catch(() => undefined),
  });
});

browser.alarms.onAlarm.addListener((alarm) => {
  if (ALARMS.has(alarm.name)) void agentReady.then((agent) => agent.onAlarm(alarm.name as AlarmName));
});

browser.runtime.onInstalled.addListener(({ reason }) => {
  void agentReady.then((agent) => agent.onInstalled(reason)).catch(() => undefined);
});

browser.windows.onRemoved.addListener((windowId) => {
  void agentReady.then((agent) => {
    agent.broker.windowClosed(windowId);
    agent.unlockPrompt.windowClosed(windowId);
    void agent.deliveries.windowClosed(windowId);
  });
});

void agentReady.then((agent) => agent.onStartup());
