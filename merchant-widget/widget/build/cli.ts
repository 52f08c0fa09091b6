import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildWidget, DEFAULT_OUT_DIR } from './build-widget';
import { measureScript, WIDGET_GZIP_BUDGET_BYTES } from './gzip-size';

// npm run build:widget [-- --out-dir DIR]   (default dist/widget)

const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
const outDir = values['out-dir'] ? resolve(values['out-dir']) : DEFAULT_OUT_DIR;

const file = await buildWidget(outDir, 'info');
const size = await measureScript(file);
console.log(
  `built ${file}: ${size.raw_bytes} bytes, ${size.gzip_bytes} bytes gzipped (budget ${WIDGET_GZIP_BUDGET_BYTES})`,
);
if (size.gzip_bytes > WIDGET_GZIP_BUDGET_BYTES) {
  console.error('widget is over its gzipped size budget');
  process.exit(1);
}
