// Crash-test seam, off unless the environment asks for it: with
//   OPENTAB_FAULT_KILL_AFTER_COMMIT=<path>:<n>      e.g. /v1/peer/initiation:2, /opentab/purchase:1
// the process SIGKILLs itself right after its n-th answer to a POST on that URL path is on disk
// and before a byte of it is written, so the caller's request took effect but was never answered:
// the one crash a relay in front of the process cannot stage. The crash suite (chaos/) sets it on
// the processes it starts; nothing else does. Unset, the edge pays one null check per answer.

export const KILL_AFTER_COMMIT_ENV = 'OPENTAB_FAULT_KILL_AFTER_COMMIT';

export interface KillAfterCommit {
  /** The request's URL path as sent, without the query. */
  readonly path: string;
  /** Which answer on that path (1 = the first since the process started). */
  readonly nth: number;
}

const MAX_NTH = 1_000_000;

/** The setting, null when unset; throws on a malformed one so that a crash test never runs without the crash
 * it asked for. */
export function parseKillAfterCommit(text: string | undefined): KillAfterCommit | null {
  if (text === undefined || text === '') return null;
  const match = /^(\/[!-~]*):(\d{1,7})$/.exec(text);
  const nth = match === null ? NaN : Number(match[2]);
  if (match === null || !Number.isSafeInteger(nth) || nth < 1 || nth > MAX_NTH) {
    throw new Error(
      `${KILL_AFTER_COMMIT_ENV} must be <URL path>:<n> with n from 1 to ${MAX_NTH}, e.g. /v1/peer/initiation:2; it is ${JSON.stringify(text)}`,
    );
  }
  return { path: match[1]!, nth };
}

/** Called by an HTTP edge after a POST's commits are durable, just before its answer is written. */
export type AfterCommitFault = (path: string) => void;

/**
 * The edge's seam: a no-op unless the variable is set. `kill` is injectable for the seam's own
 * tests; in a crash test it is SIGKILL to this very process, which no handler can intercept.
 */
export function afterCommitFault(
  env: NodeJS.ProcessEnv = process.env,
  kill: () => void = killThisProcess,
): AfterCommitFault {
  const fault = parseKillAfterCommit(env[KILL_AFTER_COMMIT_ENV]);
  if (fault === null) return () => undefined;
  let seen = 0;
  return (path) => {
    if (path !== fault.path) return;
    seen++;
    if (seen === fault.nth) kill();
  };
}

function killThisProcess(): void {
  process.kill(process.pid, 'SIGKILL');
}
