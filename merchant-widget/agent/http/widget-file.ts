// Serves the built page widget (dist/widget/widget.js by default) so a page needs one script tag
// pointing at the agent. Read on each request: it is small, and a rebuild shows up at once.

import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { relative } from 'node:path';
import { OpentabError } from '../../../protocol/errors';
import { sendError } from '../../../protocol/server/http-io';
import { CROSS_ORIGIN_HEADERS } from './cors';

export async function serveWidgetFile(response: ServerResponse, widgetFilePath: string): Promise<void> {
  let script: Buffer;
  try {
    script = await readFile(widgetFilePath);
  } catch {
    const shownPath = relative(process.cwd(), widgetFilePath) || widgetFilePath;
    const missing = new OpentabError('not_found', `The Opentab widget has not been built on this server (expected ${shownPath}); build the widget first.`);
    sendError(response, missing, { ...CROSS_ORIGIN_HEADERS, 'x-content-type-options': 'nosniff' });
    return;
  }
  response.writeHead(200, {
    ...CROSS_ORIGIN_HEADERS,
    'content-type': 'text/javascript; charset=utf-8',
    'content-length': script.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'cross-origin',
  });
  response.end(script);
}
