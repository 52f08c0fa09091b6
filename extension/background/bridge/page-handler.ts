// Content script → background: the bridge calls a web page can make. Parameters are untrusted and
// validated against the protocol's schemas; the origin comes from the browser (PageCaller).

import * as v from 'valibot';
import {
  BRIDGE_CALLS,
  BRIDGE_PROTOCOL_VERSION,
  parsedAmount,
  type BridgeCall,
  type BridgeParams,
} from '@opentab/protocol';
import type { PageCallMessage, PageCallResult, PageCalls } from '../../messaging/page-calls';
import { failed, succeeded } from '../../messaging/result';
import { asAgentError, toBridgeErrorCode } from '../errors';
import type { EntitlementBook } from '../entitlements/entitlement-book';
import type { UnlockPrompt } from '../keys/unlock-prompt';
import type { PageCaller, TabService } from '../tabs/tab-service';
import type { RateService } from '../rates/rate-service';
import type { WalletService } from '../wallet/wallet-service';
import type { DeliveryService } from '../delivery/delivery-service';

export interface PageHandlerParts {
  readonly wallet: WalletService;
  readonly rates: RateService;
  readonly tabs: TabService;
  readonly entitlements: EntitlementBook;
  readonly unlockPrompt: UnlockPrompt;
  readonly deliveries: DeliveryService;
}

type PageHandlers = {
  [C in BridgeCall]: (params: BridgeParams<C>, caller: PageCaller) => Promise<PageCalls[C]['result']>;
};

function pageHandlers({ wallet, rates, tabs, entitlements, unlockPrompt, deliveries }: PageHandlerParts): PageHandlers {
  return {
    hello: async () => ({ protocolVersion: BRIDGE_PROTOCOL_VERSION, walletState: await wallet.state() }),
    convert: async ({ prices }) => rates.convert(prices, (await wallet.enrolmentOrNull())?.currency ?? null),
    pay: async (params, caller) => {
      // A click on a locked wallet asks for the passphrase and then goes on, rather than being lost.
      if ((await wallet.state()) === 'locked') await unlockPrompt.untilUnlocked();
      await wallet.requireReady();
      // The answer does not depend on it: the purchase need not wait for the write.
      void wallet.noteActivity().catch(() => undefined);
      // The schema has checked the price; it is read into its value here, once.
      return tabs.pay(caller, { ...params, price: parsedAmount(params.price) });
    },
    deliver: async (params, caller) => {
      if ((await wallet.state()) === 'locked') await unlockPrompt.untilUnlocked();
      await wallet.requireReady();
      void wallet.noteActivity().catch(() => undefined);
      return deliveries.deliver(caller, params);
    },
    // No activity noted: a page asking after its pending payment must not keep the wallet unlocked.
    paymentStatus: (params, caller) => tabs.paymentStatus(caller, params),
    // Like a payment, only from an unlocked wallet: a locked one tells no page what was bought with it.
    entitlements: async ({ itemIds, ...merchant }, caller) => {
      await wallet.requireReady();
      return { entitlements: await entitlements.heldAmong(caller.origin, merchant, itemIds) };
    },
    tabStatus: (params, caller) => tabs.tabStatus(caller, params),
    closeTab: async (params, caller) => {
      await wallet.requireReady();
      return tabs.closeFromPage(caller, params);
    },
  };
}

export function createPageHandler(parts: PageHandlerParts) {
  const handlers = pageHandlers(parts);
  return async function handlePageCall(message: PageCallMessage, caller: PageCaller): Promise<PageCallResult> {
    const call = message.call;
    if (!Object.hasOwn(BRIDGE_CALLS, call))
      return failed('invalid_request', `Opentab has no call named ${String(call).slice(0, 40)}.`);
    const params = v.safeParse(BRIDGE_CALLS[call].params, message.params);
    if (!params.success) return failed('invalid_request', `The ${call} call has invalid parameters.`);
    try {
      const handler = handlers[call] as (
        params: unknown,
        caller: PageCaller,
      ) => Promise<PageCalls[BridgeCall]['result']>;
      return succeeded(await handler(params.output, caller));
    } catch (error) {
      const agentError = asAgentError(error);
      return failed(toBridgeErrorCode(agentError.code), agentError.message.slice(0, 500));
    }
  };
}
