// The background's end of the pages' update ports (messaging/ui-updates.ts): "changed" goes to
// every open page after anything that may change what it shows (a call that acts, an alarm).
//
// Some changes happen at the operator with nobody here acting: a closed tab's hold is released,
// and its charge booked, once its MTA has cleared it. While the last account read shows such a
// tab, and a page is open to see it, the pages are told to look again after a growing delay
// (1 s, 2 s, 4 s … at most 30 s) until the account shows it settled. A disputed tab's charge
// changes when the operator decides it, so it counts as settling until then.

import type { AccountTab } from '@opentab/protocol';
import type { UiUpdateMessage } from '../../messaging/ui-updates';

export interface UpdatePort {
  postMessage(message: UiUpdateMessage): void;
  readonly onDisconnect: { addListener(listener: () => void): void };
}

const FIRST_LOOK_AGAIN_MS = 1_000;
const LAST_LOOK_AGAIN_MS = 30_000;

export class UiUpdates {
  private readonly ports = new Set<UpdatePort>();
  private lookAgain: ReturnType<typeof setTimeout> | null = null;
  private lookAgainAfter_ms = FIRST_LOOK_AGAIN_MS;

  connect(port: UpdatePort): void {
    this.ports.add(port);
    port.onDisconnect.addListener(() => {
      this.ports.delete(port);
      if (this.ports.size === 0) this.stopLookingAgain();
    });
  }

  get listening(): boolean {
    return this.ports.size > 0;
  }

  /** Something the pages show may have changed. */
  changed(): void {
    for (const port of this.ports) {
      try {
        port.postMessage({ kind: 'changed' });
      } catch {
        this.ports.delete(port);
      }
    }
  }

  /**
   * What the account showed when it was last read: `settling` when a tab the wallet closed is not
   * settled at the operator yet, so the pages should look again.
   */
  accountRead(settling: boolean): void {
    if (!settling) {
      this.stopLookingAgain();
      return;
    }
    if (this.lookAgain !== null || !this.listening) return;
    const delay_ms = this.lookAgainAfter_ms;
    this.lookAgainAfter_ms = Math.min(delay_ms * 2, LAST_LOOK_AGAIN_MS);
    this.lookAgain = setTimeout(() => {
      this.lookAgain = null;
      this.changed();
    }, delay_ms);
  }

  private stopLookingAgain(): void {
    if (this.lookAgain !== null) clearTimeout(this.lookAgain);
    this.lookAgain = null;
    this.lookAgainAfter_ms = FIRST_LOOK_AGAIN_MS;
  }
}

/**
 * A tab the wallet no longer has open that its operator has not settled yet: its hold and charge
 * are still to change. So is a tab that cleared as disputed until the operator decides it.
 */
export function settlingAtOperator(accountTabs: readonly AccountTab[], openHere: ReadonlySet<string>): boolean {
  return accountTabs.some(
    (tab) =>
      ((tab.state === 'open' || tab.state === 'closing') && !openHere.has(tab.transactionId)) ||
      (tab.clearing?.outcome === 'disputed' && tab.clearing.decision === null),
  );
}
