// Where enrolment, log-on, signed records and purchases may travel: over https, or over plain http
// only to a loopback address, where nothing leaves the machine (the demo world, the tests). Every
// party checks the addresses it is configured with or handed, and refuses any other with a sentence.

import * as v from 'valibot';
import { HttpUrl, WebOrigin } from './primitives';

export const SECURE_ADDRESS_RULE = 'must use https: (plain http: only on loopback: 127.0.0.0/8, ::1, localhost)';

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** A URL's hostname (as WHATWG URL serialises it) that names this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || IPV4_LOOPBACK.test(hostname);
}

/** Whether traffic to this http(s) URL or origin is encrypted, or never leaves the machine. */
export function isSecureAddress(text: string): boolean {
  const url = URL.parse(text);
  if (url === null) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** What is wrong with an address a party was given as `name`, as a sentence; null when it may be used. */
export function insecureAddressProblem(name: string, text: string): string | null {
  return isSecureAddress(text) ? null : `${name} ${text} ${SECURE_ADDRESS_RULE}`;
}

/** An http(s) URL that is https, or http on loopback. */
export const SecureHttpUrl = v.pipe(HttpUrl, v.check(isSecureAddress, SECURE_ADDRESS_RULE));

/** A web origin that is https, or http on loopback. */
export const SecureWebOrigin = v.pipe(WebOrigin, v.check(isSecureAddress, SECURE_ADDRESS_RULE));
