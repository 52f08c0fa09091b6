// One round of the crash suite, start to finish: a fresh world of three processes behind six
// relays (on PostgreSQL, four: op-se twice on its one database), customers with their tabs, the
// round's planned faults, then quiet, then every invariant: each operator's audit, the merchant
// agent's, and the cross-party checks.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { check, failedChecks, withoutPassword, type CheckResult } from '@opentab/server-kit';
import { AdminClient, auditOperatorStore, loadConfigFile } from '@opentab/operator-server';
import { auditMerchantAgentStore, merchantStoreSettings } from '@opentab/merchant-agent/audit';
import { ChaosCustomer } from './customers/chaos-customer';
import { crossPartyChecks, type WorldFacts } from './cross-checks';
import { describePlan, planRound, type PlanLimits, type RoundPlan, DEFAULT_PLAN_LIMITS } from './plan';
import { quiesce } from './quiesce';
import { Random } from './random';
import { createRoundDatabases, dropRoundDatabases, type RoundDatabases } from './world/databases';
import { EventLog } from './world/event-log';
import { ManagedProcess } from './world/managed-process';
import { freePorts, provisionWorld, type ProvisionedWorld } from './world/provision';
import { Relay } from './world/relay';
import { agentFacts, operatorFacts } from './world/stores';
import { Supervisor, type KillCause } from './world/supervisor';
import {
  CUSTOMER_OPERATOR,
  LINKS,
  MERCHANT_ID,
  MERCHANT_OPERATOR,
  MOUNT_PATH,
  partyOf,
  POSTGRES_PROCESS_NAMES,
  PROCESS_NAMES,
  type LinkName,
  type Party,
  type ProcessName,
} from './world/topology';

/** Where the round's parties keep their state: SQLite files in their directories, or databases made for the
 * round on a PostgreSQL server (`serverUrl`, an admin's). */
export type RoundStore = { readonly kind: 'sqlite' } | { readonly kind: 'postgres'; readonly serverUrl: string };

export interface RoundOptions {
  readonly seed: number;
  /** Where the round's directory is made. */
  readonly baseDir: string;
  /** Keep the directory (data, logs) of a round that passed; a failed round's is always kept. */
  readonly keep: boolean;
  readonly limits?: PlanLimits;
  /** SQLite files by default. */
  readonly store?: RoundStore;
}

/** How op-se's two processes on PostgreSQL stood in for each other. */
export interface TwinService {
  /** Times one op-se process was down (killed, or killed itself at its seam). */
  readonly downtimes: number;
  /** Messages to op-se its other process answered while one was down. */
  readonly answeredWhileTwinDown: number;
}

export interface RoundCounts {
  readonly customers: number;
  readonly initiations: number;
  readonly tabs: number;
  readonly purchases: number;
  /** Per process of the world. */
  readonly kills: Readonly<Partial<Record<ProcessName, number>>>;
  readonly killsByCause: Readonly<Record<KillCause, number>>;
  readonly relayFaultsFired: number;
  /** On PostgreSQL only. */
  readonly twinService: TwinService | null;
}

export interface RoundResult {
  readonly seed: number;
  /** The server's URL without its password, on PostgreSQL. */
  readonly store: RoundStore;
  readonly dir: string;
  /** The round's PostgreSQL databases (URLs without the password), kept as its directory is (none on SQLite, or once dropped). */
  readonly databases: readonly string[];
  readonly plan: readonly string[];
  readonly counts: RoundCounts;
  /** Every invariant, named by party: `op-se:ledger-balanced`, `agent:tab-totals`, `cross:settlement-mirror`… */
  readonly results: readonly CheckResult[];
  readonly ok: boolean;
  readonly duration_ms: number;
}

/** Past every bound in the world (tab timeout, grace, hold deadline, outbox backoff) with room for a slow machine. */
const QUIESCE_BOUND_MS = 60_000;
/** After quiet, a state may be this far past its own bound before the audits call it stuck. */
const AUDIT_SETTLE_MS = 5_000;
const CUSTOMER_CREDIT_LIMIT = '500.00';

export async function runRound(options: RoundOptions): Promise<RoundResult> {
  const started_ms = Date.now();
  const store = options.store ?? { kind: 'sqlite' };
  const processes = store.kind === 'sqlite' ? PROCESS_NAMES : POSTGRES_PROCESS_NAMES;
  const plan = planRound(new Random(options.seed), options.limits ?? DEFAULT_PLAN_LIMITS, processes);
  mkdirSync(options.baseDir, { recursive: true });
  const dir = mkdtempSync(join(options.baseDir, `round-${options.seed}-`));
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const events = new EventLog(join(dir, 'logs', 'events.log'));
  for (const line of describePlan(plan)) events.note(`plan: ${line}`);

  const databases = store.kind === 'postgres' ? await createRoundDatabases(store.serverUrl, options.seed) : null;
  if (databases !== null) events.note(`databases: ${Object.values(databases).map(withoutPassword).join(', ')}`);
  const world = new RoundWorld(dir, plan, events, processes, databases);
  let results: CheckResult[] = [];
  let customers: ChaosCustomer[] = [];
  try {
    await world.start();
    customers = await world.enrollCustomers();
    results = await world.play(customers);
  } catch (error) {
    results = [check('harness', [`the round could not run: ${(error as Error).stack ?? String(error)}`])];
  } finally {
    await world.stop();
  }
  results = [...results, ...world.faultResults()];
  const ok = failedChecks(results).length === 0;
  const kept = !ok || options.keep;
  if (!kept) rmSync(dir, { recursive: true, force: true });
  if (!kept && store.kind === 'postgres' && databases !== null) await dropRoundDatabases(store.serverUrl, databases);
  return {
    seed: options.seed,
    store: store.kind === 'sqlite' ? store : { kind: 'postgres', serverUrl: withoutPassword(store.serverUrl) },
    dir,
    databases: kept && databases !== null ? Object.values(databases).map(withoutPassword) : [],
    plan: describePlan(plan),
    counts: world.counts(customers),
    results,
    ok,
    duration_ms: Date.now() - started_ms,
  };
}

/** The processes, relays and supervisor of one round. */
class RoundWorld {
  private readonly relays = new Map<LinkName, Relay>();
  private processes: Partial<Record<ProcessName, ManagedProcess>> = {};
  private supervisor: Supervisor | null = null;
  private provisioned: ProvisionedWorld | null = null;

  constructor(
    private readonly dir: string,
    private readonly plan: RoundPlan,
    private readonly events: EventLog,
    /** The world's processes: op-se-2 only on PostgreSQL. */
    private readonly processNames: readonly ProcessName[],
    private readonly databases: RoundDatabases | null,
  ) {}

  /** The processes serving `party`. */
  private processesOf(party: Party): ProcessName[] {
    return this.processNames.filter((name) => partyOf(name) === party);
  }

  async start(): Promise<void> {
    for (const link of Object.values(LINKS)) {
      const hooks = {
        kill: async (process: ProcessName, downtime_ms: number, detail: string) =>
          void (await this.supervisor?.kill(process, downtime_ms, 'relay', detail)),
        note: (line: string) => this.events.note(line),
      };
      this.relays.set(
        link.name,
        await Relay.start(link, hooks, link.source === null ? [] : this.processesOf(link.source)),
      );
    }
    // Chosen while the relays listen, so none of them can be given a process's port.
    const ports = await freePorts();
    for (const relay of this.relays.values())
      relay.forwardTo(
        ...this.processesOf(relay.link.destination).map((process) => ({ process, port: ports[process] })),
      );
    const relayUrls = Object.fromEntries([...this.relays].map(([name, relay]) => [name, relay.url])) as Record<
      LinkName,
      string
    >;
    const world = await provisionWorld(this.dir, ports, relayUrls, this.databases);
    this.provisioned = world;
    const seamAt = (name: ProcessName) => (start: number) => {
      const seam = this.plan.seams.find((s) => s.process === name && s.start === start);
      return seam === undefined ? null : `${seam.path}:${seam.nth}`;
    };
    const spec = (name: ProcessName) => {
      const common = {
        name,
        logPath: join(world.logDir, `${name}.log`),
        seamAt: seamAt(name),
        readyUrl: `http://127.0.0.1:${ports[name]}/healthz`,
      };
      const party = partyOf(name);
      if (party === 'agent')
        return {
          ...common,
          args: ['merchant-widget/agent/cli/main.ts', 'start', '--config', world.configPaths.agent],
          readyUrl: `http://127.0.0.1:${ports.agent}${MOUNT_PATH}/info`,
        };
      return {
        ...common,
        args: ['operator-server/src/cli/main.ts', 'start', '--config', world.configPaths[party]],
        // The second process of op-se: the same configuration, data directory and database, another port.
        ...(name === 'op-se-2' ? { env: { OPENTAB_PORT: String(ports[name]) } } : {}),
      };
    };
    for (const name of this.processNames) this.processes[name] = new ManagedProcess(spec(name));
    this.supervisor = new Supervisor(
      this.processes,
      this.events,
      (name, start) => this.plan.seams.find((s) => s.process === name && s.start === start)?.downtime_ms ?? 500,
    );
    // op-se's second process starts once the first has brought the database to its schema.
    const later: readonly ProcessName[] = this.processNames.filter((name) => name === 'op-se-2');
    await Promise.all(
      this.processNames.filter((name) => !later.includes(name)).map((name) => this.processes[name]!.start()),
    );
    await Promise.all(later.map((name) => this.processes[name]!.start()));
    await this.admin('op-eu').call('registerMerchant', {
      merchantId: MERCHANT_ID,
      displayName: 'The Chaos Times',
      currency: MERCHANT_OPERATOR.currency,
      origins: [`http://127.0.0.1:${ports.agent}`],
      agentUrl: `${this.relay('mta->agent').url}${MOUNT_PATH}`,
      publicKey: world.merchantPublicKey,
    });
  }

  async enrollCustomers(): Promise<ChaosCustomer[]> {
    const endpoints = {
      operatorUrl: this.relay('customer->am').url,
      agentUrl: `${this.relay('customer->agent').url}${MOUNT_PATH}`,
    };
    return Promise.all(
      this.plan.customers.map(async (customer) => {
        const admin = this.admin('op-se');
        const { accountId } = await admin.call('createCustomer', {
          displayName: customer.name,
          creditLimit: { currency: CUSTOMER_OPERATOR.currency, value: CUSTOMER_CREDIT_LIMIT },
        });
        const { code } = await admin.call('enrollmentCode', {}, { accountId });
        return ChaosCustomer.enroll(customer.name, code, endpoints, this.events);
      }),
    );
  }

  /** The faults and the customers' traffic, then quiet, then every invariant. */
  async play(customers: readonly ChaosCustomer[]): Promise<CheckResult[]> {
    const supervisor = this.supervisor!;
    this.events.restartClock();
    this.events.note('traffic starts; faults armed');
    for (const relay of this.relays.values()) relay.arm(this.plan.relayFaults);
    const kills = this.plan.kills.map((kill) =>
      new Promise<void>((resolve) => setTimeout(resolve, kill.at_ms)).then(() =>
        supervisor.kill(kill.process, kill.downtime_ms, kill.kind, `at ${kill.at_ms} ms`),
      ),
    );
    await Promise.all(customers.map((customer, i) => customer.run(this.plan.customers[i]!)));
    await Promise.all(kills);
    for (const relay of this.relays.values()) relay.disarm();
    this.events.note('customers done; faults disarmed; waiting for quiet');
    const quiet = await quiesce(supervisor, this.provisioned!.stores, QUIESCE_BOUND_MS);
    this.events.note(quiet.violations.length === 0 ? 'quiet' : 'not quiet within the bound');
    return [
      check('cross:quiesced', quiet.violations),
      ...(await this.audits()),
      ...(await this.crossChecks(customers)),
    ];
  }

  /** Faults only a defect produces, seen by the relays and the supervisor while the round ran. */
  faultResults(): CheckResult[] {
    return [
      check(
        'cross:no-internal-errors',
        [...this.relays.values()].flatMap((relay) => relay.defects),
      ),
      check('cross:processes-survive', this.supervisor?.crashes ?? []),
    ];
  }

  async stop(): Promise<void> {
    await this.supervisor?.stopAll();
    await Promise.all([...this.relays.values()].map((relay) => relay.close()));
  }

  counts(customers: readonly ChaosCustomer[]): RoundCounts {
    const kills: Partial<Record<ProcessName, number>> = Object.fromEntries(this.processNames.map((name) => [name, 0]));
    const killsByCause: Record<KillCause, number> = { relay: 0, seam: 0, 'random-kill': 0, outage: 0 };
    for (const kill of this.supervisor?.kills ?? []) {
      kills[kill.process] = (kills[kill.process] ?? 0) + 1;
      killsByCause[kill.cause]++;
    }
    const facts = customers.map((customer) => customer.facts);
    return {
      customers: facts.length,
      initiations: facts.reduce((n, c) => n + c.initiations.length, 0),
      tabs: facts.reduce((n, c) => n + c.tabs.length, 0),
      purchases: facts.reduce((n, c) => n + c.tabs.reduce((m, tab) => m + tab.receipts.length, 0), 0),
      kills,
      killsByCause,
      relayFaultsFired: [...this.relays.values()].reduce((n, relay) => n + relay.fired.length, 0),
      twinService: this.processesOf('op-se').length > 1 ? this.twinService() : null,
    };
  }

  /** The answers op-se gave from one process while the other was down, from the relays' and supervisor's notes. */
  private twinService(): TwinService {
    const end_ms = Date.now();
    const downtimes = (this.supervisor?.downtimes ?? []).filter((downtime) => partyOf(downtime.process) === 'op-se');
    const served = [...this.relays.values()]
      .filter((relay) => relay.link.destination === 'op-se')
      .flatMap((relay) => relay.served);
    const answeredWhileTwinDown = served.filter((answer) =>
      downtimes.some(
        (downtime) =>
          downtime.process !== answer.process &&
          answer.at_ms >= downtime.from_ms &&
          answer.at_ms <= (downtime.until_ms ?? end_ms),
      ),
    ).length;
    return { downtimes: downtimes.length, answeredWhileTwinDown };
  }

  private async audits(): Promise<CheckResult[]> {
    const world = this.provisioned!;
    const options = { now_ms: Date.now(), settle_ms: AUDIT_SETTLE_MS };
    const named = (party: string, results: readonly CheckResult[]) =>
      results.map((result) => check(`${party}:${result.name}`, result.violations));
    const operator = async (name: 'op-se' | 'op-eu') =>
      named(name, (await auditOperatorStore(loadConfigFile(world.configPaths[name], {}), options)).results);
    return [
      ...(await operator('op-se')),
      ...(await operator('op-eu')),
      ...named(
        'agent',
        (await auditMerchantAgentStore(merchantStoreSettings(world.configPaths.agent), options)).results,
      ),
    ];
  }

  private async crossChecks(customers: readonly ChaosCustomer[]): Promise<CheckResult[]> {
    const { stores } = this.provisioned!;
    const [am, mta, agent] = [
      await operatorFacts(stores['op-se']),
      await operatorFacts(stores['op-eu']),
      await agentFacts(stores.agent),
    ];
    const facts: WorldFacts = {
      customers: customers.map((customer) => customer.facts),
      am: { transactions: am.transactions, settlement: am.settlement },
      mta: { tabs: mta.tabs, settlement: mta.settlement },
      agent,
    };
    return crossPartyChecks(facts).map((result) => check(`cross:${result.name}`, result.violations));
  }

  private admin(name: 'op-se' | 'op-eu'): AdminClient {
    const world = this.provisioned!;
    return new AdminClient(`http://127.0.0.1:${world.ports[name]}`, world.adminTokens[name]);
  }

  private relay(name: LinkName): Relay {
    return this.relays.get(name)!;
  }
}
