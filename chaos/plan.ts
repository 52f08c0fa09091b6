// One round's plan, drawn from its seed before anything runs: the customers and what they buy,
// the faults the relays inject at exact messages, the kill-after-commit seams the processes are
// started with, and kills at random moments, short and longer than the record grace period.

import type { Random } from './random';
import {
  CHAOS_TIMING,
  COMMIT_PATHS,
  LINK_NAMES,
  LINKS,
  PROCESS_NAMES,
  type LinkName,
  type ProcessName,
} from './world/topology';

/** What a relay does to the n-th message on a path. */
export type RelayAction =
  /** The message never arrives; the sender sees the connection drop. */
  | { readonly kind: 'drop-request' }
  /** The message arrives late (past a caller's timeout, when long). */
  | { readonly kind: 'delay'; readonly delay_ms: number }
  /** The message is processed, its answer is lost on the way back. */
  | { readonly kind: 'lose-answer' }
  /** A process is killed as the message passes, before it is delivered. */
  | { readonly kind: 'kill-before-delivery'; readonly victim: Victim; readonly downtime_ms: number }
  /** The answer was produced; a process is killed before the answer is passed on (the answer is lost). */
  | { readonly kind: 'kill-after-answer'; readonly victim: Victim; readonly downtime_ms: number };

/** The sender or the receiver of the message. */
export type Victim = 'source' | 'destination';

export interface RelayFault {
  readonly link: LinkName;
  readonly path: string;
  /** Which message on that path, counted from the start of the round's traffic (1 = the first). */
  readonly nth: number;
  readonly action: RelayAction;
}

/** A process started with OPENTAB_FAULT_KILL_AFTER_COMMIT=<path>:<nth>, at its `start`-th start (0 = the first). */
export interface SeamFault {
  readonly process: ProcessName;
  readonly start: number;
  readonly path: string;
  readonly nth: number;
  readonly downtime_ms: number;
}

export interface TimedKill {
  readonly kind: 'random-kill' | 'outage';
  readonly process: ProcessName;
  /** From the start of the round's traffic. */
  readonly at_ms: number;
  readonly downtime_ms: number;
}

/** How the customer ends a tab: closes it, lets it time out, or buys until the merchant refuses. */
export type TabEnding = 'terminate' | 'abandon' | 'exhaust';

export interface TabPlan {
  /** The hold, in SEK öre. */
  readonly deposit_minor: bigint;
  /** Catalogue indexes, in order; an exhausting tab repeats them until the merchant refuses. */
  readonly items: readonly number[];
  readonly pause_ms: number;
  readonly ending: TabEnding;
}

export interface CustomerPlan {
  readonly name: string;
  readonly startDelay_ms: number;
  readonly tabs: readonly TabPlan[];
}

export interface RoundPlan {
  readonly seed: number;
  readonly customers: readonly CustomerPlan[];
  readonly relayFaults: readonly RelayFault[];
  readonly seams: readonly SeamFault[];
  readonly kills: readonly TimedKill[];
}

/** The merchant's catalogue in the crash world: EUR prices with a chain unit of 0.05. */
export const CHAOS_CATALOGUE = [
  { itemId: 'brief', title: 'A brief', price: '0.05' },
  { itemId: 'article', title: 'An article', price: '0.10' },
  { itemId: 'feature', title: 'A feature', price: '0.15' },
  { itemId: 'report', title: 'A report', price: '0.20' },
  { itemId: 'long-read', title: 'A long read', price: '0.25' },
  { itemId: 'dossier', title: 'A dossier', price: '0.50' },
] as const;

export interface PlanLimits {
  readonly customers: readonly [number, number];
  readonly tabsPerCustomer: readonly [number, number];
  readonly relayFaults: readonly [number, number];
  readonly seams: readonly [number, number];
  readonly randomKills: readonly [number, number];
  readonly outages: readonly [number, number];
}

export const DEFAULT_PLAN_LIMITS: PlanLimits = {
  customers: [2, 4],
  tabsPerCustomer: [1, 2],
  relayFaults: [2, 5],
  seams: [0, 2],
  randomKills: [0, 2],
  outages: [0, 1],
};

/** Faults are placed in the first seconds of traffic, while tabs open and purchases run. */
const FAULT_WINDOW_MS = 8_000;
const SHORT_DOWNTIME_MS: readonly [number, number] = [200, 1_500];
/** Longer than the record grace period: records and clearings must wait for the process to return. */
const OUTAGE_MS: readonly [number, number] = [
  CHAOS_TIMING.recordGrace_s * 1000 + 1_000,
  CHAOS_TIMING.recordGrace_s * 1000 + 4_000,
];
/** Past the MTA's 10 s wait for the merchant's acknowledgement: the late-answer case. */
const LONG_DELAY_MS = 11_000;

/** `processes` are those seams and timed kills may hit: the world's. */
export function planRound(
  random: Random,
  limits: PlanLimits = DEFAULT_PLAN_LIMITS,
  processes: readonly ProcessName[] = PROCESS_NAMES,
): RoundPlan {
  const customers = random.stream('customers');
  const faults = random.stream('relay faults');
  const seams = random.stream('seams');
  const kills = random.stream('kills');
  const count = (r: Random, [min, max]: readonly [number, number]) => r.int(min, max);
  return {
    seed: random.seed,
    customers: Array.from({ length: count(customers, limits.customers) }, (_, i) =>
      planCustomer(customers, `customer-${i + 1}`, count(customers, limits.tabsPerCustomer)),
    ),
    relayFaults: Array.from({ length: count(faults, limits.relayFaults) }, () => planRelayFault(faults)),
    seams: Array.from({ length: count(seams, limits.seams) }, () => planSeam(seams, processes)),
    kills: [
      ...Array.from({ length: count(kills, limits.randomKills) }, () =>
        planKill(kills, processes, 'random-kill', SHORT_DOWNTIME_MS),
      ),
      ...Array.from({ length: count(kills, limits.outages) }, () => planKill(kills, processes, 'outage', OUTAGE_MS)),
    ],
  };
}

function planCustomer(random: Random, name: string, tabs: number): CustomerPlan {
  return {
    name,
    startDelay_ms: random.int(0, 1_500),
    tabs: Array.from({ length: tabs }, () => {
      const ending = random.chance(0.7) ? 'terminate' : random.pick<TabEnding>(['abandon', 'exhaust']);
      return {
        deposit_minor: BigInt(random.int(5, 30) * 100),
        items: Array.from({ length: random.int(1, 5) }, () => random.int(0, CHAOS_CATALOGUE.length - 1)),
        pause_ms: random.int(0, 400),
        ending,
      };
    }),
  };
}

function planRelayFault(random: Random): RelayFault {
  const link = LINKS[random.pick(LINK_NAMES)];
  const victims: readonly Victim[] = link.source === null ? ['destination'] : ['source', 'destination'];
  const downtime_ms = random.chance(0.2) ? random.int(...OUTAGE_MS) : random.int(...SHORT_DOWNTIME_MS);
  const action: RelayAction = random.pick<() => RelayAction>([
    () => ({ kind: 'drop-request' }),
    () => ({ kind: 'delay', delay_ms: random.chance(0.25) ? LONG_DELAY_MS : random.int(100, 2_000) }),
    () => ({ kind: 'lose-answer' }),
    () => ({ kind: 'kill-before-delivery', victim: random.pick(victims), downtime_ms }),
    () => ({ kind: 'kill-after-answer', victim: random.pick(victims), downtime_ms }),
  ])();
  return { link: link.name, path: random.pick(link.paths), nth: random.int(1, 3), action };
}

function planSeam(random: Random, processes: readonly ProcessName[]): SeamFault {
  const process = random.pick(processes);
  return {
    process,
    start: random.chance(0.8) ? 0 : 1,
    path: random.pick(COMMIT_PATHS[process]),
    nth: random.int(1, 3),
    downtime_ms: random.int(...SHORT_DOWNTIME_MS),
  };
}

function planKill(
  random: Random,
  processes: readonly ProcessName[],
  kind: TimedKill['kind'],
  downtime: readonly [number, number],
): TimedKill {
  return {
    kind,
    process: random.pick(processes),
    at_ms: random.int(500, FAULT_WINDOW_MS),
    downtime_ms: random.int(...downtime),
  };
}

/** One line per fault, for the round's log and a failure report. */
export function describePlan(plan: RoundPlan): string[] {
  const action = (a: RelayAction): string => {
    switch (a.kind) {
      case 'drop-request':
      case 'lose-answer':
        return a.kind;
      case 'delay':
        return `delay ${a.delay_ms} ms`;
      case 'kill-before-delivery':
      case 'kill-after-answer':
        return `${a.kind} (${a.victim}, down ${a.downtime_ms} ms)`;
    }
  };
  return [
    ...plan.customers.map(
      (c) =>
        `${c.name}: ${c.tabs.map((t) => `${t.ending} ${t.items.length} items on ${t.deposit_minor} öre`).join('; ')}`,
    ),
    ...plan.relayFaults.map((f) => `relay ${f.link} ${f.path} #${f.nth}: ${action(f.action)}`),
    ...plan.seams.map(
      (s) => `seam ${s.process} start ${s.start}: kill after commit of ${s.path} #${s.nth} (down ${s.downtime_ms} ms)`,
    ),
    ...plan.kills.map((k) => `${k.kind} ${k.process} at ${k.at_ms} ms (down ${k.downtime_ms} ms)`),
  ];
}
