import { createServer } from 'node:net';

/** A port the OS just had free on `host`; for tests and the demo, which must know URLs before certificates are signed. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Below Linux's ephemeral range (32768-60999), where the OS never hands out a port to a `listen(0)`
 * nor to an outgoing connection: for a process that is killed and started again on the same port,
 * which must not find it taken meanwhile by another test's server.
 */
const STABLE_RANGE = { first: 20_000, last: 32_000 } as const;

/** A free port in the stable range, chosen at random; for servers that restart on the port they had. */
export async function findStablePort(host = '127.0.0.1', random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = STABLE_RANGE.first + Math.floor(random() * (STABLE_RANGE.last - STABLE_RANGE.first));
    if (await canListen(port, host)) return port;
  }
  throw new Error(`no free port between ${STABLE_RANGE.first} and ${STABLE_RANGE.last} after 50 tries`);
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
