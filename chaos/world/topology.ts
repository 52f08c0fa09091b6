// The crash world: two operators with different currencies (op-se for SEK customers, op-eu for
// the EUR merchant, as in the demo) and one merchant agent, each an OS process of its own, and
// the links between them, each through a relay of the runner that can drop, delay or lose a
// message, or kill a process at it. Customers live in the runner itself. On PostgreSQL, op-se is
// served by two processes on its one database, as behind a load balancer: its relays spread the
// messages to op-se over both.

/** The parties of the world: each link goes from one to another. */
export type Party = 'op-se' | 'op-eu' | 'agent';
/** The processes of the world on SQLite files: one per party. */
export const PROCESS_NAMES = ['op-se', 'op-eu', 'agent'] as const;
/** The processes of the world on PostgreSQL: op-se twice, on its one database. */
export const POSTGRES_PROCESS_NAMES = ['op-se', 'op-se-2', 'op-eu', 'agent'] as const;
export type ProcessName = (typeof POSTGRES_PROCESS_NAMES)[number];

/** The party a process serves. */
export function partyOf(process: ProcessName): Party {
  return process === 'op-se-2' ? 'op-se' : process;
}

export const CUSTOMER_OPERATOR = { operatorId: 'op-se', currency: 'SEK' } as const;
export const MERCHANT_OPERATOR = { operatorId: 'op-eu', currency: 'EUR' } as const;
export const MERCHANT_ID = 'chaos-news';
export const MOUNT_PATH = '/opentab';

export const LINK_NAMES = [
  'customer->am',
  'customer->agent',
  'am->mta',
  'mta->am',
  'mta->agent',
  'agent->mta',
] as const;
export type LinkName = (typeof LINK_NAMES)[number];

export interface LinkSpec {
  readonly name: LinkName;
  /** The party that sends; null for the customers in the runner. */
  readonly source: Party | null;
  readonly destination: Party;
  /** The messages of the protocol this link carries (POST paths), where faults are planned. */
  readonly paths: readonly string[];
}

export const LINKS: Readonly<Record<LinkName, LinkSpec>> = {
  'customer->am': {
    name: 'customer->am',
    source: null,
    destination: 'op-se',
    paths: ['/v1/customer/tabs', '/v1/customer/records'],
  },
  'customer->agent': {
    name: 'customer->agent',
    source: null,
    destination: 'agent',
    paths: [`${MOUNT_PATH}/purchase`, `${MOUNT_PATH}/terminate`, `${MOUNT_PATH}/receipts`],
  },
  'am->mta': {
    name: 'am->mta',
    source: 'op-se',
    destination: 'op-eu',
    paths: ['/v1/peer/initiation', '/v1/peer/customer-record'],
  },
  'mta->am': { name: 'mta->am', source: 'op-eu', destination: 'op-se', paths: ['/v1/peer/clearing'] },
  'mta->agent': {
    name: 'mta->agent',
    source: 'op-eu',
    destination: 'agent',
    paths: [`${MOUNT_PATH}/mta/tab-information`, `${MOUNT_PATH}/mta/tab-cleared`],
  },
  'agent->mta': { name: 'agent->mta', source: 'agent', destination: 'op-eu', paths: ['/v1/merchant/records'] },
};

/** The POST paths each process answers after a commit: where its kill-after-commit seam may be armed. */
export const COMMIT_PATHS: Readonly<Record<ProcessName, readonly string[]>> = {
  'op-se': ['/v1/customer/tabs', '/v1/customer/records', '/v1/peer/clearing'],
  'op-se-2': ['/v1/customer/tabs', '/v1/customer/records', '/v1/peer/clearing'],
  'op-eu': ['/v1/peer/initiation', '/v1/peer/customer-record', '/v1/merchant/records'],
  agent: [
    `${MOUNT_PATH}/mta/tab-information`,
    `${MOUNT_PATH}/mta/tab-cleared`,
    `${MOUNT_PATH}/purchase`,
    `${MOUNT_PATH}/terminate`,
  ],
};

/** Short timeouts so that a round takes seconds: the operators' configuration in the crash world. */
export const CHAOS_TIMING = {
  /** The shortest tab the operators allow (the configuration's floor). */
  tabTimeout_s: 10,
  recordGrace_s: 2,
  /** How long the MTA waits for a merchant agent it asked for its record: longer than an outage of the round. */
  merchantRecordWait_s: 8,
  /** The floor of the configuration: a transaction is settled within seconds of a stop mid-initiation. */
  openingBound_s: 5,
  /** Beyond the merchant record wait, so a hold lapses only when the MTA is really gone. */
  holdDeadline_s: 20,
  tick_ms: 50,
} as const;
