// What one complete tab (the lifecycle case: open, one purchase, terminate, both records,
// clearing, billing) obliges the parties to do, whatever the implementation: the protocol's
// HTTP exchanges and Ed25519 operations. bench/lifecycle-work.test.ts counts them on a real
// two-operator world, so these figures cannot drift from what the code does.

export interface LifecycleWork {
  /** Requests answered by the operators and the merchant agent (customer, peer and agent routes). */
  readonly httpExchanges: number;
  /** Billing records handed to the operators' billing systems: one webhook POST each in the benchmark world. */
  readonly billingDeliveries: number;
  /** Envelopes signed, by every party: customer, both operators, merchant agent. */
  readonly signatures: number;
  /** Signatures verified, by every party. */
  readonly verifications: number;
}

export const LIFECYCLE_WORK: LifecycleWork = {
  // customer → AM: open tab, record; AM → MTA: initiation, customer record; MTA → agent: tab
  // information, tab cleared; MTA → AM: clearing; customer → agent: purchase, terminate;
  // agent → MTA: merchant record.
  httpExchanges: 10,
  billingDeliveries: 2,
  signatures: 19,
  verifications: 18,
};

/** Per-operation CPU costs measured on this machine, in microseconds. */
export interface PrimitiveCosts {
  readonly httpExchange_us: number;
  readonly sign_us: number;
  readonly verify_us: number;
}

/**
 * The CPU one lifecycle needs for its protocol primitives alone, before any SQLite, schema
 * validation, logging or garbage collection: a floor no implementation of this protocol can go under.
 */
export function lifecycleFloor_ms(work: LifecycleWork, costs: PrimitiveCosts): number {
  const exchanges = work.httpExchanges + work.billingDeliveries;
  return (
    (exchanges * costs.httpExchange_us + work.signatures * costs.sign_us + work.verifications * costs.verify_us) / 1000
  );
}
