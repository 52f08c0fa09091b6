// Wires the widget together: loads the merchant's info, looks for the extension, renders every
// item element and keeps them rendered as the state changes.

import type { MerchantInfo } from '@opentab/protocol';
import { fetchMerchantInfo } from './agent-client';
import type { OpentabApi } from './api';
import { createBridgeClient } from './bridge-client';
import type { WidgetConfig } from './config';
import { createConversions } from './conversions';
import { OpentabError } from './errors';
import { watchExtension } from './extension-presence';
import { createItemViews } from './item-views';
import { DELIVERY_ATTRIBUTE, watchItemElements } from './mount';
import { createOwnedItems } from './owned-items';
import { createPayments } from './payments';
import { createStore, INITIAL_STATE, type ExtensionState } from './state';
import { createTabTracker } from './tab-tracker';
import { TEXT } from './texts';

function whenDocumentParsed(run: () => void): void {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run, { once: true });
  else run();
}

export function startWidget(config: WidgetConfig): OpentabApi {
  const store = createStore(INITIAL_STATE);
  const bridge = createBridgeClient(window);
  const conversions = createConversions(bridge, store);
  const ownedItems = createOwnedItems(bridge, store);
  const tabs = createTabTracker();

  const catalogueLoaded = fetchMerchantInfo(config.infoUrl).then(
    (info) => {
      const items = new Map(info.catalogue.map((item) => [item.itemId, item]));
      store.update((state) => ({ ...state, catalogue: { kind: 'loaded', info, items } }));
      conversions.flush();
      ownedItems.flush();
      return info;
    },
    (error: unknown) => {
      store.update((state) => ({ ...state, catalogue: { kind: 'failed' } }));
      throw error;
    },
  );

  const onExtension = (extension: ExtensionState) => {
    store.update((state) => ({ ...state, extension }));
    if (extension.kind !== 'present') return;
    conversions.flush();
    ownedItems.flush();
    void catalogueLoaded
      .then((info) => bridge.call('tabStatus', { merchantId: info.merchantId, operatorId: info.operatorId }))
      .then((status) => tabs.noteStatus(status.open))
      .catch(() => undefined);
  };
  const extensionChecked = watchExtension(document.documentElement, bridge, onExtension);

  const ready: Promise<MerchantInfo> = Promise.all([catalogueLoaded, extensionChecked]).then(([info]) => info);
  // Every button already shows the failure; a page that awaits `ready` still receives it.
  ready.catch(() => undefined);

  const payments = createPayments({ bridge, store, tabs, ready });
  const views = createItemViews(config.installUrl, (itemId, element) => {
    // The button shows the outcome and the page gets opentab:error; nothing else to do here.
    const buying = element.hasAttribute(DELIVERY_ATTRIBUTE)
      ? payments.buy(itemId, element)
      : payments.pay(itemId, element);
    buying.catch(() => undefined);
  });
  store.subscribe((state) => views.renderAll(state));
  whenDocumentParsed(() =>
    watchItemElements(document.documentElement, (elements) => {
      const itemIds = views.add(elements, store.get());
      conversions.request(itemIds);
      ownedItems.request(itemIds);
    }),
  );

  async function merchantRef() {
    const info = await ready;
    if (store.get().extension.kind !== 'present') throw new OpentabError('not_installed', TEXT.installLink);
    return { merchantId: info.merchantId, operatorId: info.operatorId };
  }

  return Object.freeze({
    ready,
    get info() {
      const { catalogue } = store.get();
      return catalogue.kind === 'loaded' ? catalogue.info : null;
    },
    pay: (itemId: string) => payments.pay(itemId, null),
    buy: (itemId: string) => payments.buy(itemId, null),
    tabStatus: async () => bridge.call('tabStatus', await merchantRef()),
    async closeTab() {
      const { closed } = await bridge.call('closeTab', await merchantRef());
      if (closed) tabs.noteClosed(null);
      return closed;
    },
  });
}
