// A real HTTP server on 127.0.0.1 that serves an ECB reference-rate file the way the ECB's web
// server does (ETag, Last-Modified, 304 to a conditional request), and that a test can change,
// break (an error status, an error page, no answer at all) and mend.

import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

export type Serving =
  | { readonly kind: 'file'; readonly xml: string }
  | { readonly kind: 'status'; readonly status: number; readonly body: string }
  /** Accepts the request and never answers. */
  | { readonly kind: 'silence' };

export interface RateFileServer {
  readonly url: string;
  /** What each request asked, in order. */
  readonly requests: IncomingHttpHeaders[];
  serve(serving: Serving): void;
  close(): Promise<void>;
}

const LAST_MODIFIED = 'Fri, 28 Jun 2024 14:00:00 GMT';

export async function startRateFileServer(initial: Serving): Promise<RateFileServer> {
  let serving = initial;
  const requests: IncomingHttpHeaders[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    requests.push(request.headers);
    if (serving.kind === 'silence') {
      hanging.add(response);
      return;
    }
    if (serving.kind === 'status') {
      response.writeHead(serving.status, { 'content-type': 'text/html' }).end(serving.body);
      return;
    }
    const etag = `"${createHash('sha256').update(serving.xml).digest('hex').slice(0, 16)}"`;
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, { etag }).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/xml', etag, 'last-modified': LAST_MODIFIED }).end(serving.xml);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stats/eurofxref/eurofxref-daily.xml`,
    requests,
    serve(next) {
      serving = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
