/** Settings that are not money. */
export interface Preferences {
  /** Requested lifetime of a new tab; the operator may refuse values outside its range. */
  readonly tabTimeout_s: number;
  /** The wallet locks itself after this many minutes without a UI or page call. */
  readonly idleLock_min: number;
}

export const DEFAULT_PREFERENCES: Preferences = { tabTimeout_s: 3600, idleLock_min: 15 };

export const TAB_TIMEOUT_RANGE_S = { min: 60, max: 7 * 24 * 3600 } as const;
export const IDLE_LOCK_RANGE_MIN = { min: 1, max: 24 * 60 } as const;
