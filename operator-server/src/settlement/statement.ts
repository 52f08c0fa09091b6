// Net settlement between this operator and one peer over a period: what each owes the other per
// currency, read off the settlement accounts the clearings moved. Positive net: we pay the peer.
// Read through the storage's ledger group; the caller passes a transaction's, so every account is
// read in one snapshot.

import { moneyToWire, signedMoneyToWire, type WireAmount } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { ledgerAccount } from '../ledger-accounts';
import type { LedgerAccess } from '../store/operator-storage';

/** The ledger reads a statement needs. */
export type SettlementLedger = Pick<LedgerAccess, 'balancesByCurrency' | 'findAccount' | 'listEntries'>;

export interface SettlementLine {
  readonly currency: string;
  /** Sum of what clearings made us owe the peer in the period. */
  readonly payable: WireAmount;
  /** Sum of what clearings made the peer owe us. */
  readonly receivable: WireAmount;
  /** payable − receivable, signed: positive means we pay the peer. */
  readonly net: { readonly currency: string; readonly value: string };
  /** What merchants refunded after clearings in the period: money going back, already in payable or receivable. */
  readonly refunded: WireAmount;
  readonly entries: number;
}

export interface SettlementStatement {
  readonly operatorId: string;
  readonly peerOperatorId: string;
  readonly from: string;
  readonly until: string;
  readonly lines: readonly SettlementLine[];
}

/** The ledger entries of merchants' refunds after a clearing (mta/refunds.ts) are named so. */
const REFUND_ENTRY_PREFIX = 'refund:';

/** The ledger's clock starts in 1970 (it refuses earlier times, and holds no entry older): a period reaching
 * back before then reads from 1970. */
function sinceEpoch(time_ms: number): number {
  return Math.max(0, time_ms);
}

export async function settlementStatement(
  ledger: SettlementLedger,
  operatorId: string,
  peerOperatorId: string,
  from_ms: number,
  until_ms: number,
): Promise<SettlementStatement> {
  const prefix = ledgerAccount.settlement(peerOperatorId, '');
  const totals = new Map<string, { payable: bigint; receivable: bigint; refunded: bigint; entries: number }>();
  const accounts = await ledger.balancesByCurrency();
  for (const currency of Object.keys(accounts)) {
    const accountId = `${prefix}${currency}`;
    if ((await ledger.findAccount(accountId)) === undefined) continue;
    const line = { payable: 0n, receivable: 0n, refunded: 0n, entries: 0 };
    for (const entry of await ledger.listEntries({
      accountId,
      sinceMs: sinceEpoch(from_ms),
      untilMs: sinceEpoch(until_ms),
    })) {
      for (const posting of entry.postings) {
        if (posting.accountId !== accountId) continue;
        if (posting.amount > 0n) line.payable += posting.amount;
        else line.receivable -= posting.amount;
        if (entry.id.startsWith(REFUND_ENTRY_PREFIX))
          line.refunded += posting.amount < 0n ? -posting.amount : posting.amount;
      }
      line.entries++;
    }
    totals.set(currency, line);
  }
  return {
    operatorId,
    peerOperatorId,
    from: formatTimestamp(from_ms),
    until: formatTimestamp(until_ms),
    lines: [...totals.entries()].map(([currency, line]) => {
      return {
        currency,
        payable: moneyToWire({ currency, minor: line.payable }),
        receivable: moneyToWire({ currency, minor: line.receivable }),
        net: signedMoneyToWire(currency, line.payable - line.receivable),
        refunded: moneyToWire({ currency, minor: line.refunded }),
        entries: line.entries,
      };
    }),
  };
}
