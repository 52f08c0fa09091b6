// Random operation sequences against the ledger and a plain in-memory model of it: every
// outcome (success or error code) must match the model, and the invariants must hold after
// every single step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerError, type LedgerErrorCode } from './errors';
import type { Ledger } from './ledger';
import { LedgerFixture } from './testing/ledger-fixture';
import type { PostingInput } from './types';

// The first three exist from the start; cust:3 exists only once an operation creates it.
const CUSTOMERS = ['cust:0', 'cust:1', 'cust:2', 'cust:3'] as const;
const PRE_CREATED_CUSTOMERS = 3;
const FX_RATE_SEK_PER_EUR = 11n;

type Operation =
  | { kind: 'createCustomer'; customer: number; creditLimit: bigint }
  | { kind: 'fund'; customer: number; amount: bigint }
  | { kind: 'hold'; customer: number; amount: bigint }
  | { kind: 'repeatHold'; pick: number; altered: boolean }
  | { kind: 'capture'; pick: number; tenths: number; crossCurrency: boolean }
  | { kind: 'release'; pick: number }
  | { kind: 'spend'; customer: number; amount: bigint }
  | { kind: 'payout'; amount: bigint };

const customerIndex = fc.nat({ max: CUSTOMERS.length - 1 });
const creditLimit = fc.bigInt({ min: 0n, max: 2_000n });
const smallAmount = fc.bigInt({ min: 1n, max: 1_500n });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('createCustomer' as const), customer: customerIndex, creditLimit }),
  fc.record({ kind: fc.constant('fund' as const), customer: customerIndex, amount: smallAmount }),
  {
    arbitrary: fc.record({ kind: fc.constant('hold' as const), customer: customerIndex, amount: smallAmount }),
    weight: 4,
  },
  fc.record({ kind: fc.constant('repeatHold' as const), pick: fc.nat(), altered: fc.boolean() }),
  {
    arbitrary: fc.record({
      kind: fc.constant('capture' as const),
      pick: fc.nat(),
      tenths: fc.nat({ max: 10 }),
      crossCurrency: fc.boolean(),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }), weight: 2 },
  fc.record({ kind: fc.constant('spend' as const), customer: customerIndex, amount: smallAmount }),
  fc.record({ kind: fc.constant('payout' as const), amount: smallAmount }),
);

interface ModelAccount {
  minBalance: bigint | null;
  balance: bigint;
  held: bigint;
}
interface ModelHold {
  id: string;
  accountId: string;
  amount: bigint;
  ref: string;
  status: 'pending' | 'captured' | 'released';
  captured: { amount: bigint; crossCurrency: boolean } | null;
}
/** What each customer has had accepted, to restate the credit limit independently of `held`. */
interface CustomerTotals {
  funded: bigint;
  captured: bigint;
  spent: bigint;
}

type Outcome = 'ok' | LedgerErrorCode;

class Model {
  readonly accounts = new Map<string, ModelAccount>();
  readonly holds: ModelHold[] = [];
  readonly totals = new Map<string, CustomerTotals>();
  private entryCount = 0;

  constructor(creditLimits: readonly bigint[]) {
    for (const id of ['merch:eur', 'merch:sek']) this.accounts.set(id, { minBalance: 0n, balance: 0n, held: 0n });
    for (const id of ['funding:EUR', 'fx:EUR', 'fx:SEK'])
      this.accounts.set(id, { minBalance: null, balance: 0n, held: 0n });
    creditLimits.forEach((limit, index) => this.addCustomer(CUSTOMERS[index]!, limit));
  }

  addCustomer(id: string, creditLimit: bigint): void {
    this.accounts.set(id, { minBalance: -creditLimit, balance: 0n, held: 0n });
    this.totals.set(id, { funded: 0n, captured: 0n, spent: 0n });
  }

  nextEntryId(): string {
    this.entryCount += 1;
    return `entry:${this.entryCount}`;
  }

  available(accountId: string): bigint | null {
    const account = this.accounts.get(accountId);
    if (account === undefined || account.minBalance === null) return null;
    return account.balance - account.held - account.minBalance;
  }

  canDebit(accountId: string, amount: bigint): boolean {
    const available = this.available(accountId);
    return available === null || available >= amount;
  }

  move(postings: readonly PostingInput[]): void {
    for (const { accountId, amount } of postings) this.accounts.get(accountId)!.balance += amount;
  }
}

function setUpLedger(ledger: Ledger, creditLimits: readonly bigint[]): void {
  creditLimits.forEach((limit, index) =>
    ledger.createAccount({ id: CUSTOMERS[index]!, currency: 'EUR', kind: 'customer', minBalance: -limit }),
  );
  ledger.createAccount({ id: 'merch:eur', currency: 'EUR', kind: 'merchant', minBalance: 0n });
  ledger.createAccount({ id: 'merch:sek', currency: 'SEK', kind: 'merchant', minBalance: 0n });
  ledger.createAccount({ id: 'funding:EUR', currency: 'EUR', kind: 'funding', minBalance: null });
  ledger.createAccount({ id: 'fx:EUR', currency: 'EUR', kind: 'fx', minBalance: null });
  ledger.createAccount({ id: 'fx:SEK', currency: 'SEK', kind: 'fx', minBalance: null });
}

function outcomeOf(action: () => unknown): Outcome {
  try {
    action();
    return 'ok';
  } catch (error) {
    if (error instanceof LedgerError) return error.code;
    throw error;
  }
}

function capturePostings(accountId: string, amount: bigint, crossCurrency: boolean): PostingInput[] {
  if (amount === 0n) return [];
  if (!crossCurrency) {
    return [
      { accountId, amount: -amount },
      { accountId: 'merch:eur', amount },
    ];
  }
  const sek = amount * FX_RATE_SEK_PER_EUR;
  return [
    { accountId, amount: -amount },
    { accountId: 'fx:EUR', amount },
    { accountId: 'fx:SEK', amount: -sek },
    { accountId: 'merch:sek', amount: sek },
  ];
}

/** Runs one operation on both; returns [expected, actual], or null when it needs a hold and there is none. */
function step(ledger: Ledger, model: Model, op: Operation): [Outcome, Outcome] | null {
  switch (op.kind) {
    case 'createCustomer': {
      const id = CUSTOMERS[op.customer]!;
      const existing = model.accounts.get(id);
      const expected: Outcome =
        existing === undefined || existing.minBalance === -op.creditLimit ? 'ok' : 'account_exists';
      const actual = outcomeOf(() =>
        ledger.createAccount({ id, currency: 'EUR', kind: 'customer', minBalance: -op.creditLimit }),
      );
      if (expected === 'ok' && existing === undefined) model.addCustomer(id, op.creditLimit);
      return [expected, actual];
    }
    case 'fund': {
      const id = CUSTOMERS[op.customer]!;
      const postings = [
        { accountId: 'funding:EUR', amount: -op.amount },
        { accountId: id, amount: op.amount },
      ];
      const expected: Outcome = model.accounts.has(id) ? 'ok' : 'unknown_account';
      const actual = outcomeOf(() => ledger.postEntry({ id: model.nextEntryId(), memo: 'fund', postings }));
      if (expected === 'ok') {
        model.move(postings);
        model.totals.get(id)!.funded += op.amount;
      }
      return [expected, actual];
    }
    case 'hold': {
      const accountId = CUSTOMERS[op.customer]!;
      const hold: ModelHold = {
        id: `hold:${model.holds.length}`,
        accountId,
        amount: op.amount,
        ref: `tx:${model.holds.length}`,
        status: 'pending',
        captured: null,
      };
      const expected: Outcome = !model.accounts.has(accountId)
        ? 'unknown_account'
        : model.canDebit(accountId, op.amount)
          ? 'ok'
          : 'insufficient_funds';
      const actual = outcomeOf(() => ledger.placeHold({ id: hold.id, accountId, amount: op.amount, ref: hold.ref }));
      if (expected === 'ok') {
        model.holds.push(hold);
        model.accounts.get(accountId)!.held += op.amount;
      }
      return [expected, actual];
    }
    case 'repeatHold': {
      const hold = model.holds[op.pick % Math.max(model.holds.length, 1)];
      if (hold === undefined) return null;
      const amount = op.altered ? hold.amount + 1n : hold.amount;
      const actual = outcomeOf(() =>
        ledger.placeHold({ id: hold.id, accountId: hold.accountId, amount, ref: hold.ref }),
      );
      return [op.altered ? 'conflict' : 'ok', actual];
    }
    case 'capture': {
      const hold = model.holds[op.pick % Math.max(model.holds.length, 1)];
      if (hold === undefined) return null;
      const amount = (hold.amount * BigInt(op.tenths)) / 10n;
      const postings = capturePostings(hold.accountId, amount, op.crossCurrency);
      const sameAsBefore =
        hold.captured !== null &&
        hold.captured.amount === amount &&
        (amount === 0n || hold.captured.crossCurrency === op.crossCurrency);
      const expected: Outcome =
        hold.status === 'released'
          ? 'hold_not_pending'
          : hold.status === 'captured'
            ? sameAsBefore
              ? 'ok'
              : 'conflict'
            : 'ok';
      const actual = outcomeOf(() =>
        ledger.captureHold({ holdId: hold.id, amount, entryId: `capture:${hold.id}`, memo: 'clearing', postings }),
      );
      if (expected === 'ok' && hold.status === 'pending') {
        hold.status = 'captured';
        hold.captured = { amount, crossCurrency: op.crossCurrency };
        model.accounts.get(hold.accountId)!.held -= hold.amount;
        model.move(postings);
        model.totals.get(hold.accountId)!.captured += amount;
      }
      return [expected, actual];
    }
    case 'release': {
      const hold = model.holds[op.pick % Math.max(model.holds.length, 1)];
      if (hold === undefined) return null;
      const expected: Outcome = hold.status === 'captured' ? 'hold_not_pending' : 'ok';
      const actual = outcomeOf(() => ledger.releaseHold(hold.id));
      if (hold.status === 'pending') {
        hold.status = 'released';
        model.accounts.get(hold.accountId)!.held -= hold.amount;
      }
      return [expected, actual];
    }
    case 'spend': {
      const id = CUSTOMERS[op.customer]!;
      const postings = [
        { accountId: id, amount: -op.amount },
        { accountId: 'merch:eur', amount: op.amount },
      ];
      const expected: Outcome = !model.accounts.has(id)
        ? 'unknown_account'
        : model.canDebit(id, op.amount)
          ? 'ok'
          : 'insufficient_funds';
      const actual = outcomeOf(() => ledger.postEntry({ id: model.nextEntryId(), memo: 'spend', postings }));
      if (expected === 'ok') {
        model.move(postings);
        model.totals.get(id)!.spent += op.amount;
      }
      return [expected, actual];
    }
    case 'payout': {
      const postings = [
        { accountId: 'merch:eur', amount: -op.amount },
        { accountId: 'funding:EUR', amount: op.amount },
      ];
      const expected: Outcome = model.canDebit('merch:eur', op.amount) ? 'ok' : 'insufficient_funds';
      const actual = outcomeOf(() => ledger.postEntry({ id: model.nextEntryId(), memo: 'payout', postings }));
      if (expected === 'ok') model.move(postings);
      return [expected, actual];
    }
  }
}

function describeOperation(op: Operation): string {
  return JSON.stringify(op, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
}

function expectConsistent(ledger: Ledger, model: Model): void {
  const report = ledger.checkInvariants();
  expect(
    Object.values(report.sumsByCurrency).every((sum) => sum === 0n),
    'sums per currency',
  ).toBe(true);
  expect(report.accountsBelowFloor).toEqual([]);
  expect(report.heldMismatches).toEqual([]);
  expect(report.balanceMismatches).toEqual([]);

  for (const [id, expected] of model.accounts) {
    const account = ledger.getAccount(id);
    expect({ id, balance: account.balance, held: account.held }).toEqual({
      id,
      balance: expected.balance,
      held: expected.held,
    });
  }

  // The credit limit, restated from accepted operations instead of from the held column:
  // what is pending plus what was captured or spent never exceeds limit plus top-ups.
  const pendingByAccount = new Map<string, bigint>();
  for (const hold of ledger.listHolds({ status: 'pending' })) {
    pendingByAccount.set(hold.accountId, (pendingByAccount.get(hold.accountId) ?? 0n) + hold.amount);
  }
  for (const [id, totals] of model.totals) {
    const creditLimit = -ledger.getAccount(id).minBalance!;
    const used = (pendingByAccount.get(id) ?? 0n) + totals.captured + totals.spent;
    expect(used <= creditLimit + totals.funded, `${id} uses ${used} of ${creditLimit} + ${totals.funded}`).toBe(true);
  }
}

describe('ledger under random operation sequences', () => {
  it('matches the model and keeps every invariant after every step', () => {
    const scenario = fc.record({
      creditLimits: fc.array(creditLimit, { minLength: PRE_CREATED_CUSTOMERS, maxLength: PRE_CREATED_CUSTOMERS }),
      operations: fc.array(operation, { minLength: 1, maxLength: 60, size: 'medium' }),
    });
    fc.assert(
      fc.property(scenario, ({ creditLimits, operations }) => {
        const fixture = LedgerFixture.create();
        try {
          setUpLedger(fixture.ledger, creditLimits);
          const model = new Model(creditLimits);
          for (const op of operations) {
            const outcomes = step(fixture.ledger, model, op);
            if (outcomes === null) continue;
            const [expected, actual] = outcomes;
            expect(actual, describeOperation(op)).toBe(expected);
            expectConsistent(fixture.ledger, model);
          }
        } finally {
          fixture.dispose();
        }
      }),
      { numRuns: 200 },
    );
    // 200 SQLite files and thousands of checked steps: seconds of CPU alone, several times that on a busy machine.
  }, 120_000);
});
