// One round of the crash suite, start to finish: a fresh world of three processes behind six
// relays, customers with their tabs, the round's planned faults, then quiet, then every
// invariant: each operator's audit, the merchant agent's, and the cross-party checks.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { check, failedChecks, type CheckResult } from '@opentab/server-kit';
import { AdminClient } from '@opentab/operator-server';
import { auditOperator, operatorDatabasePath } from '@opentab/operator-server';
import { OperatorStoreReader } from '@opentab/operator-server';
import { loadConfigFile } from '@opentab/operator-server';
import { auditMerchantAgent } from '@opentab/merchant-agent/audit';
import { AgentStoreReader } from '@opentab/merchant-agent/audit';
import { merchantDatabasePath } from '@opentab/merchant-agent/audit';
import { ChaosCustomer } from './customers/chaos-customer';
import { crossPartyChecks, type WorldFacts } from './cross-checks';
import { describePlan, planRound, type PlanLimits, type RoundPlan, DEFAULT_PLAN_LIMITS } from './plan';
import { quiesce, type StoreFiles } from './quiesce';
import { Random } from './random';
import { EventLog } from './world/event-log';
import { ManagedProcess } from './world/managed-process';
import { freePorts, provisionWorld, type ProvisionedWorld } from './world/provision';
import { Relay } from './world/relay';
import { Supervisor, type KillCause } from './world/supervisor';
import {
  CUSTOMER_OPERATOR,
  LINKS,
  MERCHANT_ID,
  MERCHANT_OPERATOR,
  MOUNT_PATH,
  PROCESS_NAMES,
  type LinkName,
  type ProcessName,
} from './world/topology';

export interface RoundOptions {
  readonly seed: number;
  /** Where the round's directory is made. */
  readonly baseDir: string;
  /** Keep the directory (data, logs) of a round that passed; a failed round's is always kept. */
  readonly keep: boolean;
  readonly limits?: PlanLimits;
}

export interface RoundCounts {
  readonly customers: number;
  readonly initiations: number;
  readonly tabs: number;
  readonly purchases: number;
  readonly kills: Readonly<Record<ProcessName, number>>;
  readonly killsByCause: Readonly<Record<KillCause, number>>;
  readonly relayFaultsFired: number;
}

export interface RoundResult {
  readonly seed: number;
  readonly dir: string;
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
  const plan = planRound(new Random(options.seed), options.limits ?? DEFAULT_PLAN_LIMITS);
  mkdirSync(options.baseDir, { recursive: true });
  const dir = mkdtempSync(join(options.baseDir, `round-${options.seed}-`));
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const events = new EventLog(join(dir, 'logs', 'events.log'));
  for (const line of describePlan(plan)) events.note(`plan: ${line}`);

  const world = new RoundWorld(dir, plan, events);
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
  if (ok && !options.keep) rmSync(dir, { recursive: true, force: true });
  return {
    seed: options.seed,
    dir,
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
  private processes: Record<ProcessName, ManagedProcess> | null = null;
  private supervisor: Supervisor | null = null;
  private provisioned: ProvisionedWorld | null = null;

  constructor(
    private readonly dir: string,
    private readonly plan: RoundPlan,
    private readonly events: EventLog,
  ) {}

  async start(): Promise<void> {
    for (const link of Object.values(LINKS)) {
      this.relays.set(
        link.name,
        await Relay.start(link, {
          kill: async (process, downtime_ms, detail) =>
            void (await this.supervisor?.kill(process, downtime_ms, 'relay', detail)),
          note: (line) => this.events.note(line),
        }),
      );
    }
    // Chosen while the relays listen, so none of them can be given a process's port.
    const ports = await freePorts();
    for (const relay of this.relays.values()) relay.forwardTo(ports[relay.link.destination]);
    const relayUrls = Object.fromEntries([...this.relays].map(([name, relay]) => [name, relay.url])) as Record<
      LinkName,
      string
    >;
    const world = await provisionWorld(this.dir, ports, relayUrls);
    this.provisioned = world;
    const seamAt = (name: ProcessName) => (start: number) => {
      const seam = this.plan.seams.find((s) => s.process === name && s.start === start);
      return seam === undefined ? null : `${seam.path}:${seam.nth}`;
    };
    const operator = (name: 'op-se' | 'op-eu') =>
      new ManagedProcess({
        name,
        args: ['operator-server/src/cli/main.ts', 'start', '--config', world.configPaths[name]],
        readyUrl: `http://127.0.0.1:${ports[name]}/healthz`,
        logPath: join(world.logDir, `${name}.log`),
        seamAt: seamAt(name),
      });
    this.processes = {
      'op-se': operator('op-se'),
      'op-eu': operator('op-eu'),
      agent: new ManagedProcess({
        name: 'agent',
        args: ['merchant-widget/agent/cli/main.ts', 'start', '--config', world.configPaths.agent],
        readyUrl: `http://127.0.0.1:${ports.agent}${MOUNT_PATH}/info`,
        logPath: join(world.logDir, 'agent.log'),
        seamAt: seamAt('agent'),
      }),
    };
    this.supervisor = new Supervisor(
      this.processes,
      this.events,
      (name, start) => this.plan.seams.find((s) => s.process === name && s.start === start)?.downtime_ms ?? 500,
    );
    await Promise.all(Object.values(this.processes).map((process) => process.start()));
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
    const quiet = await quiesce(supervisor, this.storeFiles(), QUIESCE_BOUND_MS);
    this.events.note(quiet.violations.length === 0 ? 'quiet' : 'not quiet within the bound');
    return [check('cross:quiesced', quiet.violations), ...this.audits(), ...this.crossChecks(customers)];
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
    const kills = Object.fromEntries(PROCESS_NAMES.map((name) => [name, 0])) as Record<ProcessName, number>;
    const killsByCause: Record<KillCause, number> = { relay: 0, seam: 0, 'random-kill': 0, outage: 0 };
    for (const kill of this.supervisor?.kills ?? []) {
      kills[kill.process]++;
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
    };
  }

  private audits(): CheckResult[] {
    const now_ms = Date.now();
    const named = (party: string, results: readonly CheckResult[]) =>
      results.map((result) => check(`${party}:${result.name}`, result.violations));
    const operator = (name: 'op-se' | 'op-eu') =>
      named(
        name,
        auditOperator(loadConfigFile(this.provisioned!.configPaths[name], {}), { now_ms, settle_ms: AUDIT_SETTLE_MS })
          .results,
      );
    return [
      ...operator('op-se'),
      ...operator('op-eu'),
      ...named('agent', auditMerchantAgent(this.storeFiles().agent, { now_ms, settle_ms: AUDIT_SETTLE_MS }).results),
    ];
  }

  private crossChecks(customers: readonly ChaosCustomer[]): CheckResult[] {
    const files = this.storeFiles();
    const read = <R extends { close(): void }, T>(reader: R, body: (reader: R) => T): T => {
      try {
        return body(reader);
      } finally {
        reader.close();
      }
    };
    const facts: WorldFacts = {
      customers: customers.map((customer) => customer.facts),
      am: read(OperatorStoreReader.open(files['op-se']), (r) =>
        r.snapshot(() => ({ transactions: r.transactions(), settlement: r.settlementBalances() })),
      ),
      mta: read(OperatorStoreReader.open(files['op-eu']), (r) =>
        r.snapshot(() => ({ tabs: r.tabs(), settlement: r.settlementBalances() })),
      ),
      agent: read(AgentStoreReader.open(files.agent), (r) =>
        r.snapshot(() => ({ tabs: r.tabs(), purchases: r.purchases() })),
      ),
    };
    return crossPartyChecks(facts).map((result) => check(`cross:${result.name}`, result.violations));
  }

  private storeFiles(): StoreFiles {
    const world = this.provisioned!;
    return {
      'op-se': operatorDatabasePath(loadConfigFile(world.configPaths['op-se'], {})),
      'op-eu': operatorDatabasePath(loadConfigFile(world.configPaths['op-eu'], {})),
      agent: merchantDatabasePath(world.configPaths.agent),
    };
  }

  private admin(name: 'op-se' | 'op-eu'): AdminClient {
    const world = this.provisioned!;
    return new AdminClient(`http://127.0.0.1:${world.ports[name]}`, world.adminTokens[name]);
  }

  private relay(name: LinkName): Relay {
    return this.relays.get(name)!;
  }
}
