// npm run build:console [-- --out DIR]: writes the console (default dist/console, where the operator looks).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONSOLE_DIR } from '../../src/admin/console-files';
import { buildConsole } from './build';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = values.out !== undefined ? resolve(values.out) : CONSOLE_DIR;
await buildConsole(outDir, 'info');
console.log(`built the operator console: ${outDir}`);
