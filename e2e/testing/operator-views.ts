// What the operators know, read through their admin APIs: the customer's account with its
// transactions, the merchant's tabs, and the net settlement between the two operators.

import type { DemoWorld } from '../world/demo-world';
import { CUSTOMER_OPERATOR, MERCHANT_OPERATOR } from '../world/demo-world';
import { DEMO_MERCHANT_ID } from '@opentab/demo-shop';

export function customerAccount(world: DemoWorld) {
  return world.customerOperator.admin.call('getCustomer', undefined, { accountId: world.customer.accountId });
}

export function merchantAccount(world: DemoWorld) {
  return world.merchantOperator.admin.call('getMerchant', undefined, { merchantId: DEMO_MERCHANT_ID });
}

export function merchantTab(world: DemoWorld, tabId: string) {
  return world.merchantOperator.admin.call('getTab', undefined, { tabId });
}

/** Each operator's statement with the other, since the beginning of time. */
export async function settlementStatements(world: DemoWorld) {
  const [customerSide, merchantSide] = await Promise.all([
    world.customerOperator.admin.call('settlement', undefined, {}, { peer: MERCHANT_OPERATOR.operatorId }),
    world.merchantOperator.admin.call('settlement', undefined, {}, { peer: CUSTOMER_OPERATOR.operatorId }),
  ]);
  return { customerSide, merchantSide };
}
