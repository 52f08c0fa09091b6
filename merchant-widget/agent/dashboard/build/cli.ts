// npm run build:dashboard [-- --out DIR]: writes the merchant dashboard (default dist/merchant-dashboard,
// where the agent looks).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DASHBOARD_DIR } from '../../admin/dashboard-files';
import { buildDashboard } from './build';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = values.out !== undefined ? resolve(values.out) : DASHBOARD_DIR;
await buildDashboard(outDir, 'info');
console.log(`built the merchant dashboard: ${outDir}`);
