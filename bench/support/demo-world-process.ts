// Child process: the demo world (two operators and the demo shop with its merchant agent) for the
// browser case, in its own Node process as `npm start` runs it. In the benchmark's own process the
// merchant agent would share an event loop with Playwright, which handles the browser's DevTools
// traffic during every click. Configured by arguments; when the world is up it writes what the
// benchmark needs (the shop's URL, the customer operator's URL, the enrolment code) to --ready-file.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startDemoWorld } from '@opentab/e2e';
import { demoCatalogue, type SizedProduct } from '@opentab/demo-shop';

/**
 * Every item sold each time: the browser case buys the same two articles hundreds of times, and
 * as entitlements (the demo shop's default) every visit after the first would find them bought.
 */
/** `--sized bench-1mb:1048576,…`: further products of these sizes, sold by secure delivery, each time. */
function sizedProducts(spec: string | undefined): SizedProduct[] {
  if (spec === undefined || spec === '') return [];
  return spec.split(',').map((entry) => {
    const [itemId, size] = entry.split(':');
    return { itemId: itemId!, title: `${itemId} (generated)`, price: '0.10', size_bytes: Number(size) };
  });
}

const SOLD_EACH_TIME = demoCatalogue().map(({ itemId, title, price }) => ({
  itemId,
  title,
  price,
  kind: 'consumable' as const,
}));

export interface DemoWorldReady {
  readonly shopUrl: string;
  readonly customerOperatorUrl: string;
  readonly enrolmentCode: string | null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      ports: { type: 'string' },
      widget: { type: 'string' },
      'ready-file': { type: 'string' },
      sized: { type: 'string' },
    },
    strict: true,
  });
  const { dir, ports, widget, 'ready-file': readyFile } = values;
  if (dir === undefined || ports === undefined || widget === undefined || readyFile === undefined) {
    throw new Error('usage: demo-world-process --dir DIR --ports SE,EU,SHOP --widget FILE --ready-file FILE');
  }
  const [sePort, euPort, shopPort] = ports.split(',').map(Number);
  const sized = sizedProducts(values.sized);
  const world = await startDemoWorld({
    dir,
    reset: true,
    log: 'silent',
    ports: [sePort!, euPort!, shopPort!],
    sizedDeliveries: sized,
    shopOverrides: {
      widgetFilePath: widget,
      catalogue: [
        ...SOLD_EACH_TIME,
        ...sized.map(({ itemId, title, price }) => ({ itemId, title, price, kind: 'consumable' as const })),
      ],
      logger: { warn: (message, detail) => process.stderr.write(`demo shop: ${message} ${String(detail ?? '')}\n`) },
    },
  });
  const ready: DemoWorldReady = {
    shopUrl: world.shop.url,
    customerOperatorUrl: world.customerOperator.url,
    enrolmentCode: world.customer.enrollmentCode,
  };
  writeFileSync(readyFile, JSON.stringify(ready));
  const stop = () => void world.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo world process failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
