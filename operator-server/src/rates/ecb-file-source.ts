// The ECB's reference-rate file on disk, read again whenever it changes: replace it with a newer
// one (write it next to it, then rename it over it) and the operator publishes the new rates
// without a restart. A file it cannot read leaves the last good rates in use.

import { readFile, stat } from 'node:fs/promises';
import { ecbQuotes, type RateQuotes } from './rate-quotes';
import { RateSourceError, type RateSourceReader } from './rate-source-reader';
import type { RefreshPolicy } from './refresh-schedule';

export class EcbFileSource implements RateSourceReader {
  readonly name: string;
  readonly local = true;
  /** Identifies the file's content last read (inode, size, modification and change times). */
  private lastVersion: string | null = null;
  /** Why the file of `lastVersion` could not be read; given again until the file changes. */
  private lastError: RateSourceError | null = null;

  constructor(
    private readonly path: string,
    private readonly sample: boolean,
    readonly policy: RefreshPolicy,
  ) {
    this.name = `ECB file ${path}`;
  }

  async read(): Promise<RateQuotes | null> {
    const version = await this.version();
    if (version === this.lastVersion) {
      if (this.lastError !== null) throw this.lastError;
      return null;
    }
    this.lastVersion = version;
    try {
      const quotes = ecbQuotes(await this.text(), this.sample);
      this.lastError = null;
      return quotes;
    } catch (error) {
      this.lastError =
        error instanceof RateSourceError ? error : new RateSourceError(`${this.name}: ${(error as Error).message}`);
      throw this.lastError;
    }
  }

  private async version(): Promise<string> {
    try {
      const info = await stat(this.path);
      return `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
    } catch (error) {
      this.lastVersion = null;
      throw new RateSourceError(`cannot read the ${this.name}: ${(error as Error).message}`);
    }
  }

  private async text(): Promise<string> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      throw new RateSourceError(`cannot read the ${this.name}: ${(error as Error).message}`);
    }
  }
}
