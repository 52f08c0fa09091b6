// The prior-art baseline (seed FIG 1) from the customer's side, for tests and the benchmark: one
// signed payment order per purchase, each a full authorize-hold-capture at the operator.

import { callRoute } from '../../../protocol/api/client';
import { DIRECT_PAYMENT_API, type DirectPaymentOrderPayload, type DirectPaymentReceipt } from '../../../protocol/api/direct-payment-api';
import { nodeCrypto } from '../../../protocol/crypto/node';
import { seal, type PayloadBody } from '../../../protocol/envelope';
import { nodeHttpTransport } from '../../../protocol/server/node-http-transport';
import type { WireAmount } from '../../../protocol/money/amount';
import type { TestCustomer } from './test-customer';

export interface DirectPurchase {
  readonly merchantId: string;
  readonly merchantOperatorId: string;
  readonly itemId: string;
  readonly price: WireAmount;
}

export async function directPaymentOrder(customer: TestCustomer, purchase: DirectPurchase) {
  const table = (await customer.rateTable()).payload;
  return seal(nodeCrypto, customer.signer, {
    type: 'direct-payment-order',
    accountId: customer.accountId,
    sessionId: customer.session,
    merchantId: purchase.merchantId,
    merchantOperatorId: purchase.merchantOperatorId,
    itemId: purchase.itemId,
    price: purchase.price,
    rateTableId: table.id,
  } satisfies PayloadBody<DirectPaymentOrderPayload>);
}

export async function payDirectly(customer: TestCustomer, purchase: DirectPurchase): Promise<DirectPaymentReceipt> {
  return callRoute(customer.operatorUrl, DIRECT_PAYMENT_API.directPayment, await directPaymentOrder(customer, purchase), { transport: nodeHttpTransport });
}
