// Case 5b: what every merchant page costs its reader to download: the widget script, built from
// the current source exactly as `npm run build:widget` builds dist/widget/widget.js.

import { join } from 'node:path';
import { buildWidget } from '@opentab/widget/build';
import { measureScript, WIDGET_GZIP_BUDGET_BYTES } from '@opentab/widget/build';
import { atMost, metric, type CaseResult } from '../report';

export interface WidgetOptions {
  /** Built here rather than over dist/, which other work may be serving. */
  readonly dir: string;
}

export async function runWidgetCase(options: WidgetOptions): Promise<CaseResult> {
  const file = await buildWidget(join(options.dir, 'widget'), 'warn');
  const size = await measureScript(file);
  return {
    name: 'widget',
    metrics: [
      metric('widget.raw_bytes', size.raw_bytes),
      metric('widget.gzip_bytes', size.gzip_bytes, atMost(WIDGET_GZIP_BUDGET_BYTES)),
    ],
    notes: ['gzip level 9, as static servers precompress'],
  };
}
