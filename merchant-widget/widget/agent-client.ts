// Reads the merchant agent's public GET <agent>/info: the only source of ids, currency and prices.

import type { MerchantInfo } from '@opentab/protocol';
import { OpentabError } from './errors';
import { LOCAL_ERROR_TEXT } from './texts';
import { isMerchantInfo } from './wire-checks';

export const INFO_TIMEOUT_MS = 10_000;

export async function fetchMerchantInfo(infoUrl: string, timeout_ms: number = INFO_TIMEOUT_MS): Promise<MerchantInfo> {
  const unreachable = () => new OpentabError('agent_unreachable', LOCAL_ERROR_TEXT.agent_unreachable);
  let body: unknown;
  try {
    const response = await fetch(infoUrl, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeout_ms),
    });
    if (!response.ok) throw unreachable();
    body = await response.json();
  } catch {
    throw unreachable();
  }
  if (!isMerchantInfo(body)) throw new OpentabError('invalid_response', LOCAL_ERROR_TEXT.agent_unreachable);
  return body;
}
