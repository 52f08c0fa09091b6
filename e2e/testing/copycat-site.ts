// A copy of the shop on another origin: every request is passed through to the real shop, so
// the page, its widget and the merchant agent's routes are byte for byte the shop's own — only
// the origin differs, and the merchant certificate does not list it.

import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CopycatSite {
  readonly url: string;
  close(): Promise<void>;
}

export async function startCopycatSite(realOrigin: string): Promise<CopycatSite> {
  const target = new URL(realOrigin);
  const server: Server = createServer((incoming, outgoing) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
