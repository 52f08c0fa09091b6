// Whose request is this, for rate limiting? The socket's peer address, unless that peer is a
// reverse proxy the server was told to trust: then the client is the one the proxies name in
// X-Forwarded-For. Each proxy appends the address it received the request from, so the list is
// read from the right, skipping trusted proxies; the first address that is not one is the client.
// Anything left of it was written by the client itself and could be anything, so it is never used.

import { isIP } from 'node:net';

/** A server trusts at most this many reverse proxies: a configuration, not a list of clients. */
export const MAX_TRUSTED_PROXIES = 64;

/** A header line may carry at most this many hops; a longer list is not read (it is not a proxy chain we built). */
const MAX_FORWARDED_HOPS = 32;

/** `::ffff:1.2.3.4` and `1.2.3.4` are the same client; other forms as written, lower case. */
function normalised(address: string): string {
  const lower = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped !== null ? mapped[1]! : lower;
}

export function clientAddressOf(
  socketAddress: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trustedProxies: ReadonlySet<string>,
): string | undefined {
  if (socketAddress === undefined || !trustedProxies.has(normalised(socketAddress))) return socketAddress;
  // Several header lines are one list, in order (RFC 9110, 5.3).
  const header = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor?.join(',');
  if (header === undefined || header === '') return socketAddress;
  const hops = header.split(',');
  if (hops.length > MAX_FORWARDED_HOPS) return socketAddress;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalised(hops[i]!);
    if (isIP(hop) === 0) return socketAddress; // a malformed entry: trust nothing left of it
    if (!trustedProxies.has(hop)) return hop;
  }
  return socketAddress; // every hop was a trusted proxy
}

/** The set to pass clientAddressOf, from configured addresses (validated as IP addresses by the caller's schema). */
export function trustedProxySet(addresses: readonly string[]): ReadonlySet<string> {
  return new Set(addresses.map(normalised));
}
