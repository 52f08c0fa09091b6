// The expected side of every money assertion: the customer operator's own rate table, converted
// with the protocol's functions (the ones the extension and the operators must agree with).

import { callRoute } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import type { LockedRate } from '@opentab/protocol';
import type { RateTable } from '@opentab/protocol';
import { moneyToWire, parseMoney } from '@opentab/protocol';
import { lockRate, merchantToCustomer } from '@opentab/protocol';

export function fetchRateTable(operatorUrl: string): Promise<RateTable> {
  return callRoute(operatorUrl, OPERATOR_API.rateTable, undefined);
}

export function lockedRateOf(table: RateTable, customerCurrency: string, merchantCurrency: string): LockedRate {
  const { id, base, rates } = table.payload;
  const rate = lockRate({ id, base, rates }, customerCurrency, merchantCurrency);
  if (rate === null)
    throw new Error(`the rate table quotes no rate between ${customerCurrency} and ${merchantCurrency}`);
  return rate;
}

/** A merchant price in the customer's currency as a wire decimal ("3.41"). */
export function customerPrice(rate: LockedRate, merchantPrice: string): string {
  const price = parseMoney(rate.merchant.currency, merchantPrice);
  return moneyToWire({ currency: rate.customer.currency, minor: merchantToCustomer(price.minor, rate) }).value;
}
