// What the rate feed asks of a rate source: read it, say whether there is anything new.

import type { RateQuotes } from './rate-quotes';
import type { RefreshPolicy } from './refresh-schedule';

/** Why a source could not be read; the message is for the operator's log and /healthz. */
export class RateSourceError extends Error {
  override name = 'RateSourceError';
}

export interface RateSourceReader {
  /** For the log: "ECB file /srv/rates/eurofxref-daily.xml". */
  readonly name: string;
  /** Local sources are read before the operator starts serving; a remote one may be slow or down. */
  readonly local: boolean;
  readonly policy: RefreshPolicy;
  /** The quotes when the source has new ones since the last read, else null; throws RateSourceError. */
  read(signal: AbortSignal): Promise<RateQuotes | null>;
}
