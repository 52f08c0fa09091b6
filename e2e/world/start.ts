// `npm start`: the whole demo world on 127.0.0.1 — two operators, the demo shop with its
// widget — with data kept in .data/demo between starts (`npm start -- --reset` starts clean).
// `--store postgres://user@host:port/db` keeps the operators' and the merchant agent's state in
// databases of their own on that PostgreSQL server instead of SQLite files (demo-databases.ts).
// `npm start` builds the extension, the widget and the operator console first (see package.json).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RateTableSource } from '@opentab/protocol';
import { describeRateSource } from '@opentab/protocol';
import { createLogger } from '@opentab/operator-server';
import { startDemoWorld } from './demo-world';
import { logShopEvents } from './shop-log';

const { values } = parseArgs({
  options: {
    reset: { type: 'boolean', default: false },
    dir: { type: 'string', default: '.data/demo' },
    /** Customer operator, merchant operator, shop; used when the world is first made. */
    ports: { type: 'string', default: '7101,7102,7103' },
    /** A PostgreSQL server for the stores, postgres://user@host:port/db; SQLite files when absent. */
    store: { type: 'string' },
  },
});

function parsePorts(text: string): [number, number, number] {
  const ports = text.split(',').map(Number);
  if (ports.length !== 3 || !ports.every((port) => Number.isInteger(port) && port > 0 && port < 65536)) {
    process.stderr.write(`--ports takes three port numbers, e.g. 7101,7102,7103 (got ${text})\n`);
    process.exit(2);
  }
  return ports as [number, number, number];
}

const root = resolve(import.meta.dirname, '../..');
const world = await startDemoWorld({
  dir: resolve(root, values.dir),
  reset: values.reset,
  ...(values.store !== undefined ? { postgresUrl: values.store } : {}),
  ports: parsePorts(values.ports),
  log: 'info',
});
logShopEvents(world.shop.agent, createLogger('shop', 'info'));

/** The demo quotes old ECB rates as samples: says so rather than pass them off as today's. */
function describeRates(source: RateTableSource | undefined): string {
  if (source === undefined) return 'none yet';
  const text = describeRateSource(source);
  return source.sample
    ? `${text} (old rates, served as samples: the demo allows them, a real operator refuses them)`
    : text;
}

const lines = [
  '',
  '  Opentab demo world is running.',
  '',
  `  Shop (The Opentab Times)      ${world.shop.url}/`,
  `  Customer operator op-se (SEK) ${world.customerOperator.url}   (OpenAPI: ${world.customerOperator.url}/openapi.json)`,
  `  Merchant operator op-eu (EUR) ${world.merchantOperator.url}   (OpenAPI: ${world.merchantOperator.url}/openapi.json)`,
  '',
  `  Operator consoles (log in as ${world.staff.name} with password ${world.staff.password}, or with the admin token shown):`,
  ...[world.customerOperator, world.merchantOperator].map(
    (operator) =>
      `    ${operator.operatorId}: ${operator.url}/console   token ${operator.running.context.config.adminToken}`,
  ),
  '',
  `  Merchant dashboard of ${world.shop.merchant.displayName}: ${world.shop.dashboard.url}`,
  `    log in as ${world.shop.dashboard.login.name} with the token ${world.shop.dashboard.login.token}`,
  '',
  `  Exchange rates: ${describeRates(world.customerOperator.running.rateFeed.latest()?.source)}`,
  '',
  `  Demo customer account ${world.customer.accountId}, credit limit 500.00 SEK`,
  world.customer.enrollmentCode === null
    ? '  A wallet has already enrolled for this account (npm start -- --reset to start over).'
    : `  Enrolment code: ${world.customer.enrollmentCode}   (valid until ${world.customer.codeExpiresAt})`,
  '',
  '  The extension is built in:',
  `    Chrome:  ${resolve(root, 'dist/chrome')}   chrome://extensions → Developer mode → Load unpacked`,
  `    Firefox: ${resolve(root, 'dist/firefox')}  about:debugging → This Firefox → Load Temporary Add-on → manifest.json`,
  world.customer.enrollmentCode === null
    ? `  Operator address for the extension's options: ${world.customerOperator.url}`
    : `  In the extension's options: operator ${world.customerOperator.url}, then the enrolment code above.`,
  '',
  `  Data: ${world.dir}${world.reused ? ' (reused from an earlier start)' : ''}. Ctrl-C stops everything.`,
  ...(world.databases === null
    ? []
    : [
        `  Stores: PostgreSQL databases ${[...Object.values(world.databases.operators), world.databases.shop]
          .map((url) => new URL(url).pathname.slice(1))
          .join(', ')}`,
      ]),
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping…\n');
  await world.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
