// The baseline at an operator, as an extension: its two tables, its two routes (the customer's
// payment at the AM, the peer's credit at the MTA), and its two kinds of outbox message.

import type { ExtensionContext, OperatorExtension } from '@opentab/operator-server/extension';
import { bind } from '@opentab/operator-server/extension';
import { DIRECT_PAYMENT_API } from '../direct-payment-api';
import { creditDirectPayment } from './credit-merchant';
import { DIRECT_PAYMENTS_SCHEMA, DirectPaymentStore } from './direct-payments';
import { DIRECT_ORDER_CREDITS_SCHEMA, DirectOrderCreditStore } from './order-credits';
import { EXTENSION_NAME, readOutboxTarget } from './outbox-targets';
import { payDirectly, resolveDirectPayment, type BaselineStores, type DirectCreditRetry } from './pay-directly';
import { notifyMerchantOfPayment, type DirectPaymentNoticeBody } from './payment-notice';

export function directPaymentExtension(): OperatorExtension {
  // One extension may serve several operators (a test world's two): each has its own stores.
  const stores = new WeakMap<ExtensionContext, BaselineStores>();
  const storesOf = (context: ExtensionContext): BaselineStores => {
    let own = stores.get(context);
    if (own === undefined)
      stores.set(
        context,
        (own = {
          payments: new DirectPaymentStore(context.sqlite.db),
          credits: new DirectOrderCreditStore(context.sqlite.db),
        }),
      );
    return own;
  };
  return {
    name: EXTENSION_NAME,
    tables: DIRECT_PAYMENTS_SCHEMA + DIRECT_ORDER_CREDITS_SCHEMA,
    routes: DIRECT_PAYMENT_API,
    bind(context) {
      const own = storesOf(context);
      return [
        bind(DIRECT_PAYMENT_API.directPayment, (body, { now_ms }) => payDirectly(context, own, body, now_ms)),
        bind(DIRECT_PAYMENT_API.peerDirectPayment, (body, { now_ms }) =>
          creditDirectPayment(context, own.credits, body, now_ms),
        ),
      ];
    },
    async deliver(context, target, payload) {
      const own = storesOf(context);
      const destination = readOutboxTarget(target);
      if (destination.kind === 'credit')
        return resolveDirectPayment(context, own, payload as DirectCreditRetry, context.clock.now_ms());
      const merchant = context.sqlite.store.merchant(destination.merchantId);
      if (merchant === null) throw new Error(`merchant ${destination.merchantId} is no longer registered`);
      return notifyMerchantOfPayment(context, merchant, payload as DirectPaymentNoticeBody, context.clock.now_ms());
    },
  };
}
