// The demo shop: `npx tsx merchant-widget/demo-shop/server.ts --operator-url … --operator-id …
// --operator-key …`. Imported, it only exports startDemoShop (for the demo world and e2e tests).

import { pathToFileURL } from 'node:url';
import { MerchantAgentConfigError } from '@opentab/merchant-agent';
import { parseCli, USAGE } from './cli-options';
import { startDemoShop } from './demo-shop';

export { startDemoShop, DEMO_MERCHANT_ID, DEMO_DISPLAY_NAME, PAGE_CSP } from './demo-shop';
export type { DemoShop, DemoShopOptions, MerchantRegistration } from './demo-shop';

async function main(): Promise<void> {
  const parsed = parseCli(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    console.error(`${parsed.problem}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  let shop;
  try {
    shop = await startDemoShop(parsed.options);
  } catch (error) {
    if (!(error instanceof MerchantAgentConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 2;
    return;
  }
  console.log(`${shop.merchant.displayName} is open at ${shop.url}`);
  console.log('Register this merchant at its operator with:');
  console.log(JSON.stringify(shop.merchant, null, 2));
  const stop = () => void shop.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
