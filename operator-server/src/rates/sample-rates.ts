// The ECB reference rates of 28 June 2024 that ship with Opentab (data/README.md), as a rate
// source that serves them as sample rates: for the demo, the tests and the benchmarks, which
// need the same rates on any day. A real operator's configuration never names it.

import { fileURLToPath } from 'node:url';

export const SAMPLE_ECB_RATES_FILE = fileURLToPath(new URL('../../data/ecb-eurofxref-2024-06-28.xml', import.meta.url));

export const SAMPLE_RATE_SOURCE = { source: 'ecb-file', path: SAMPLE_ECB_RATES_FILE, sample: true } as const;
