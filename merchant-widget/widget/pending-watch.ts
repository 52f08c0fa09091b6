// A payment the extension answered "pending" (the shop has not answered it yet) is asked after
// until it is paid or refused, so the page unlocks without another click: at growing intervals,
// as the shop may be down for a while, and one watch per item however often it is started.

/** The first question comes after this, each next one after twice the wait, never longer than the cap. */
export const PENDING_POLL = { first_ms: 2_000, max_ms: 60_000 } as const;

export function pendingPollDelay_ms(asked: number): number {
  return Math.min(PENDING_POLL.first_ms * 2 ** Math.min(asked, 10), PENDING_POLL.max_ms);
}

export interface PendingWatch {
  /** Calls `stillPending` for `itemId` until it resolves false; a failed call counts as still pending. */
  watch(itemId: string, stillPending: () => Promise<boolean>): void;
}

export function createPendingWatch(delay_ms: (asked: number) => number = pendingPollDelay_ms): PendingWatch {
  const watched = new Set<string>();
  return {
    watch(itemId, stillPending) {
      if (watched.has(itemId)) return;
      watched.add(itemId);
      const askAfter = (asked: number) =>
        setTimeout(() => {
          void stillPending()
            .catch(() => true)
            .then((pending) => (pending ? askAfter(asked + 1) : watched.delete(itemId)));
        }, delay_ms(asked));
      askAfter(0);
    },
  };
}
