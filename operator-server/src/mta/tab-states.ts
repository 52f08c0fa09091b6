// The MTA's tab, as a table: which event moves a tab from which state to which. Records, record
// requests and due timers act on an open tab without changing its state (docs/state-machines.md
// lists them); the store's state updates take their allowed "from" states from here.

export const TAB_STATES = ['opening', 'open', 'cleared', 'failed'] as const;
export type TabState = (typeof TAB_STATES)[number];

export type TabEvent =
  /** The merchant agent acknowledged the information message. */
  | 'merchant-acknowledged'
  /** The merchant agent refused, could not be reached, or its ack could not be believed; a void notice goes to it. */
  | 'registration-failed'
  /** Found 'opening' at start-up: a stop cut the registration off; a void notice goes to the merchant agent. */
  | 'registration-interrupted'
  /** Both records are in, or the tab is due and waiting longer cannot bring the merchant's record. */
  | 'cleared'
  /** A record that arrived after the clearing proves more: the difference is cleared as a new revision. */
  | 'clearing-corrected'
  /** The operator resolved the tab's dispute: it clears what the operator decided, as a new revision. */
  | 'dispute-resolved'
  /** The merchant refunded part of what the cleared tab paid: it clears that much less, as a new revision. */
  | 'refunded';

export const TAB_TRANSITIONS: Readonly<Record<TabState, Readonly<Partial<Record<TabEvent, TabState>>>>> = {
  opening: { 'merchant-acknowledged': 'open', 'registration-failed': 'failed', 'registration-interrupted': 'failed' },
  open: { cleared: 'cleared' },
  cleared: { 'clearing-corrected': 'cleared', 'dispute-resolved': 'cleared', refunded: 'cleared' },
  failed: {},
};

export function tabStatesAccepting(event: TabEvent): TabState[] {
  return TAB_STATES.filter((state) => TAB_TRANSITIONS[state][event] !== undefined);
}

export function nextTabState(state: TabState, event: TabEvent): TabState | null {
  return TAB_TRANSITIONS[state][event] ?? null;
}

export const FINAL_TAB_STATES: readonly TabState[] = ['cleared', 'failed'];
