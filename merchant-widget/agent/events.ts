// A small typed event emitter: the merchant's code listens to what happens on its tabs. A throwing
// listener is reported to the logger and never disturbs the agent or the other listeners.

import type { AgentLogger } from './config';
import type { ClearingOutcome, StopReason } from './tab-record';
import type { PurchaseView, TabView } from './views';

export interface MerchantAgentEvents {
  'tab-opened': { readonly tab: TabView };
  purchase: { readonly tab: TabView; readonly purchase: PurchaseView };
  'tab-stopped': { readonly tab: TabView; readonly reason: StopReason };
  'record-acknowledged': { readonly tabId: string; readonly recordId: string; readonly status: 'recorded' | 'cleared' };
  /** A delivery attempt failed; the outbox will try again at `nextAttemptAt_ms`. */
  'record-delivery-failed': {
    readonly tabId: string;
    readonly recordId: string;
    readonly attempts: number;
    readonly error: string;
    readonly nextAttemptAt_ms: number;
  };
  'tab-cleared': { readonly tab: TabView; readonly outcome: ClearingOutcome };
  /** Secure delivery: a signed package went out for an order (`attempt` 1, or a re-send after a not-accept). */
  delivered: { readonly tabId: string; readonly orderId: string; readonly productId: string; readonly attempt: number };
  /** The customer accepted the package: its purchase is on the tab, K2 went out sealed to K1. */
  accepted: {
    readonly tabId: string;
    readonly orderId: string;
    readonly productId: string;
    readonly purchaseId: string;
  };
  /** The customer's check refused a package (`problem`); it is sent again unless this was the last attempt. */
  rejected: { readonly tabId: string; readonly orderId: string; readonly problem: string; readonly attempt: number };
  /** The last attempt was refused too: the order ends, nothing was charged for it. */
  aborted: { readonly tabId: string; readonly orderId: string; readonly productId: string };
}

export type MerchantAgentEventName = keyof MerchantAgentEvents;
export type Listener<E extends MerchantAgentEventName> = (event: MerchantAgentEvents[E]) => void;

export class AgentEvents {
  private readonly listeners = new Map<MerchantAgentEventName, Set<(event: never) => void>>();

  constructor(private readonly logger: AgentLogger) {}

  /** Returns the function that removes the listener again. */
  on<E extends MerchantAgentEventName>(name: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<E extends MerchantAgentEventName>(name: E, event: MerchantAgentEvents[E]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as Listener<E>)(event);
      } catch (error) {
        this.logger.warn(`a '${name}' listener threw`, error);
      }
    }
  }
}
