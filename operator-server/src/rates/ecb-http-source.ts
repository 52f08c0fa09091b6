// The ECB's reference-rate file over HTTP(S), fetched when the feed says so. Asks only for a
// newer file than the one it has (If-None-Match, If-Modified-Since), bounds the time and the size
// of an answer, and reads the body strictly: a gateway's error page is a failure, never rates.

import { ecbQuotes, type RateQuotes } from './rate-quotes';
import { RateSourceError, type RateSourceReader } from './rate-source-reader';
import type { RefreshPolicy } from './refresh-schedule';

/** The ECB's full history since 1999 is a few megabytes; anything much larger is not its file. */
export const MAX_RATE_FILE_BYTES = 16 * 1024 * 1024;

export class EcbHttpSource implements RateSourceReader {
  readonly name: string;
  readonly local = false;
  private etag: string | null = null;
  private lastModified: string | null = null;

  constructor(
    private readonly url: string,
    private readonly timeout_ms: number,
    readonly policy: RefreshPolicy,
  ) {
    this.name = `ECB rates at ${url}`;
  }

  async read(signal: AbortSignal): Promise<RateQuotes | null> {
    const headers: Record<string, string> = { accept: 'application/xml, text/xml' };
    if (this.etag !== null) headers['if-none-match'] = this.etag;
    if (this.lastModified !== null) headers['if-modified-since'] = this.lastModified;
    // A timer of our own, not AbortSignal.timeout inside AbortSignal.any: Node 20 may collect such
    // a combined signal's timeout before it fires, and the read then waits for ever.
    const timedOut = new AbortController();
    const timer = setTimeout(
      () => timedOut.abort(new DOMException('no answer in time', 'TimeoutError')),
      this.timeout_ms,
    );
    const stop = () => timedOut.abort(signal.reason);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      return await this.readWithin(headers, timedOut.signal);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
    }
  }

  /** One request and its answer read, given up when `signal` aborts (the timeout, or the feed stopping). */
  private async readWithin(headers: Record<string, string>, signal: AbortSignal): Promise<RateQuotes | null> {
    let response: Response;
    try {
      response = await fetch(this.url, { headers, signal });
    } catch (error) {
      throw new RateSourceError(`cannot reach the ${this.name}: ${describeFetchError(error)}`);
    }
    if (response.status === 304 && (this.etag !== null || this.lastModified !== null)) {
      await response.body?.cancel();
      return null;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new RateSourceError(`the ${this.name} answered HTTP ${response.status}`);
    }
    const text = await readCapped(response, MAX_RATE_FILE_BYTES, this.name);
    let quotes: RateQuotes;
    try {
      quotes = ecbQuotes(text, false);
    } catch (error) {
      throw new RateSourceError(`the ${this.name} sent a file that is not read: ${(error as Error).message}`);
    }
    // Only an answer that was read remembers its validators: a bad one is asked for again in full.
    this.etag = response.headers.get('etag');
    this.lastModified = response.headers.get('last-modified');
    return quotes;
  }
}

async function readCapped(response: Response, maxBytes: number, name: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new RateSourceError(
      `the ${name} answered with ${declared} bytes, more than the ${maxBytes} a rate file may have`,
    );
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new RateSourceError(`the ${name} answered with more than the ${maxBytes} bytes a rate file may have`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof RateSourceError) throw error;
    throw new RateSourceError(`the ${name} broke off its answer: ${describeFetchError(error)}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new RateSourceError(`the ${name} answered with a file that is not UTF-8`);
  }
}

/** fetch puts the reason (ECONNREFUSED, a timeout) in `cause`, under a bare "fetch failed". */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  if (error.name === 'AbortError') return 'stopped';
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error
    ? `${error.message} (${(cause as NodeJS.ErrnoException).code ?? cause.message})`
    : error.message;
}
