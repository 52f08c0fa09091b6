// The seeds the test suite runs rounds from, chosen for the faults their plans stage.
// `plan.test.ts` asserts that each still plans them, so a change to the planner or the PRNG that
// moves those faults fails there, by name, rather than leaving a round that quietly tests less.

/**
 * Seeds whose plans between them kill the AM as an amended initiation leaves it, the agent after
 * it answered a tab's information, the MTA after a clearing was answered and for longer than the
 * grace period, processes at random moments, and processes after committing an answer (seams).
 * A planned kill of a process that is already down is skipped, so how many fire depends on the
 * run; a round's whole plan and what fired are in its logs/events.log.
 */
export const SHORT_FORM_SEEDS = [182117, 85682];

/**
 * The round on PostgreSQL: its one timed kill is an outage of op-se's first process, past the
 * record grace period, while the customers open tabs; no other fault kills a process.
 */
export const POSTGRES_ROUND_SEED = 9991;
