// Everything the buttons show derives from this one state; modules change it only through the
// store, and every change re-renders every button.

import type { BridgeResult, Entitlement, RateStatus } from '@opentab/protocol';
import type { MerchantInfo, Receipt } from '@opentab/protocol';
import type { RateTableSource } from '@opentab/protocol';
import type { Amount } from './amount-text';
import type { WidgetErrorCode } from './errors';

export type CatalogueItem = MerchantInfo['catalogue'][number];

export type CatalogueState =
  | { kind: 'loading' }
  | { kind: 'loaded'; info: MerchantInfo; items: ReadonlyMap<string, CatalogueItem> }
  | { kind: 'failed' };

export type WalletState = BridgeResult<'hello'>['walletState'];

export type ExtensionState =
  | { kind: 'checking' }
  | { kind: 'absent' }
  /** A content script is there (it acknowledged hello, or marked the page as those before bridge version 4
   * do) but hello got no answer. */
  | { kind: 'unresponsive' }
  /** Speaks an older bridge protocol than this widget. */
  | { kind: 'outdated' }
  | { kind: 'present'; walletState: WalletState };

export interface ConversionState {
  /** null until the extension has answered a convert call. */
  rateStatus: RateStatus | null;
  /** Whose rates of which day the extension converted with; null when it does not say, undefined from an
   * extension that never does. */
  rateSource?: RateTableSource | null;
  /** The extension's conversion of each item's price; null where it could not convert one. */
  byItem: ReadonlyMap<string, Amount | null>;
}

export type PaymentState =
  | { kind: 'busy' }
  /** Sent, and the shop has not answered yet: the extension finishes it (the same payment) when it does. */
  | { kind: 'pending' }
  | { kind: 'paid'; receipt: Receipt }
  /** Bought before: the wallet answered with the access token it holds, and charged nothing. */
  | { kind: 'owned'; entitlement: Entitlement }
  | { kind: 'failed'; code: WidgetErrorCode; message: string };

export interface WidgetState {
  catalogue: CatalogueState;
  extension: ExtensionState;
  conversion: ConversionState;
  payments: ReadonlyMap<string, PaymentState>;
}

export const INITIAL_STATE: WidgetState = {
  catalogue: { kind: 'loading' },
  extension: { kind: 'checking' },
  conversion: { rateStatus: null, byItem: new Map() },
  payments: new Map(),
};

export interface Store<S> {
  get(): S;
  update(change: (state: S) => S): void;
  subscribe(listener: (state: S) => void): void;
}

export function createStore<S>(initial: S): Store<S> {
  let state = initial;
  const listeners: Array<(state: S) => void> = [];
  return {
    get: () => state,
    update(change) {
      state = change(state);
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.push(listener);
    },
  };
}

export function withPayment(state: WidgetState, itemId: string, payment: PaymentState): WidgetState {
  return { ...state, payments: new Map(state.payments).set(itemId, payment) };
}
