// Child process: `opentab-operator start` with the baseline's extension, so that the benchmark's
// operators serve the per-purchase payments too (npm run bench starts one per operator).
//   tsx bench/baseline/operator-process.ts <operator.json>

import { serveOperator } from '@opentab/operator-server';
import { directPaymentExtension } from './operator/extension';

const configPath = process.argv[2];
if (configPath === undefined) throw new Error('usage: operator-process.ts <operator.json>');
await serveOperator(configPath, { extensions: [directPaymentExtension()] });
