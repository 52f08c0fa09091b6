// Daily and monthly caps count the deposits held, by the local calendar of the customer's
// browser ("today" is the customer's today, not UTC's).

import type { HoldsSoFar } from './spending-rules';

export interface HeldDeposit {
  readonly openedAt_ms: number;
  readonly depositCustomer_minor: bigint;
}

export function startOfLocalDay(now_ms: number): number {
  const date = new Date(now_ms);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

export function startOfLocalMonth(now_ms: number): number {
  const date = new Date(now_ms);
  return new Date(date.getFullYear(), date.getMonth(), 1).getTime();
}

export function holdsSoFar(deposits: readonly HeldDeposit[], now_ms: number): HoldsSoFar {
  const dayStart = startOfLocalDay(now_ms);
  const monthStart = startOfLocalMonth(now_ms);
  let today = 0n;
  let thisMonth = 0n;
  for (const deposit of deposits) {
    if (deposit.openedAt_ms >= monthStart) thisMonth += deposit.depositCustomer_minor;
    if (deposit.openedAt_ms >= dayStart) today += deposit.depositCustomer_minor;
  }
  return { today_minor: today, thisMonth_minor: thisMonth };
}
