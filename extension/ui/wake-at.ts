// Time-driven changes on a page (a rate table passing its expiry, a tab's minutes left) are shown
// at the moment they happen: the page asks to be woken then, not every so often.

/** Calls `wake` at `at_ms` (epoch ms); returns the cancel. */
export type WakeAt = (at_ms: number, wake: () => void) => () => void;

/** setTimeout's longest delay; a later moment wakes early, and the page asks again then. */
const LONGEST_DELAY_MS = 2_147_483_647;

export function wakeAtWith(now: () => number): WakeAt {
  return (at_ms, wake) => {
    const timer = setTimeout(wake, Math.min(Math.max(0, at_ms - now()), LONGEST_DELAY_MS));
    return () => clearTimeout(timer);
  };
}
