// The customer AM's transaction, as a table: which event moves a transaction from which state to
// which. docs/state-machines.md explains each row; the store's state updates take their allowed
// "from" states from here (an UPDATE ... WHERE state IN (...)), so the code cannot drift from it.

export const TRANSACTION_STATES = ['opening', 'open', 'cleared', 'failed', 'lapsed'] as const;
export type TransactionState = (typeof TRANSACTION_STATES)[number];

export type TransactionEvent =
  /** The MTA acknowledged the tab (its ack checked and stored). */
  | 'tab-acknowledged'
  /** The MTA gave a definite refusal, or its acknowledgement could not be believed: the hold is released. */
  | 'refused'
  /** Still opening past the opening bound with no definite answer: no tab-opened ever left, so no link can
   * have been revealed. */
  | 'opening-bound-passed'
  /** The MTA's clearing (first revision) was applied: the hold captured and the rest released. */
  | 'cleared'
  /** No clearing by expiry plus the hold deadline: the hold is released, a late clearing is charged without it. */
  | 'hold-deadline-passed'
  /** A clearing of a higher revision (late evidence at the MTA) charged the difference. */
  | 'clearing-corrected';

export const TRANSACTION_TRANSITIONS: Readonly<
  Record<TransactionState, Readonly<Partial<Record<TransactionEvent, TransactionState>>>>
> = {
  opening: {
    'tab-acknowledged': 'open',
    refused: 'failed',
    'opening-bound-passed': 'failed',
    // The MTA opened the tab but its acknowledgement never reached this AM: its clearing still counts.
    cleared: 'cleared',
    'hold-deadline-passed': 'lapsed',
  },
  open: { cleared: 'cleared', 'hold-deadline-passed': 'lapsed' },
  lapsed: { cleared: 'cleared' },
  cleared: { 'clearing-corrected': 'cleared' },
  // Final: a clearing of a failed transaction can only be zero, and changes nothing.
  failed: {},
};

/** The states from which `event` is allowed, in table order. */
export function transactionStatesAccepting(event: TransactionEvent): TransactionState[] {
  return TRANSACTION_STATES.filter((state) => TRANSACTION_TRANSITIONS[state][event] !== undefined);
}

/** The state after `event`, or null when the table does not allow it from `state`. */
export function nextTransactionState(state: TransactionState, event: TransactionEvent): TransactionState | null {
  return TRANSACTION_TRANSITIONS[state][event] ?? null;
}

/** Every state but these waits for something; the audit and the crash suite look for transactions stuck in them. */
export const FINAL_TRANSACTION_STATES: readonly TransactionState[] = ['cleared', 'failed'];
