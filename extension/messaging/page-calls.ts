// Content script → background: the page bridge calls, exactly the protocol's BRIDGE_CALLS. The
// message carries no origin: the background reads it from the browser's sender information.

import type { BridgeCall, BridgeErrorCode, BridgeParams, BridgeResult } from '@opentab/protocol';
import type { CallResult } from './result';

export const PAGE_CALL_CHANNEL = 'opentab:page-call';

export type PageCalls = { [C in BridgeCall]: { params: BridgeParams<C>; result: BridgeResult<C> } };

export interface PageCallMessage<C extends BridgeCall = BridgeCall> {
  readonly channel: typeof PAGE_CALL_CHANNEL;
  readonly call: C;
  /** Still untrusted: the background validates it against the call's schema. */
  readonly params: unknown;
}

export type PageCallResult<C extends BridgeCall = BridgeCall> = CallResult<PageCalls[C]['result'], BridgeErrorCode>;

export function isPageCallMessage(message: unknown): message is PageCallMessage {
  if (typeof message !== 'object' || message === null) return false;
  const candidate = message as Record<string, unknown>;
  return candidate.channel === PAGE_CALL_CHANNEL && typeof candidate.call === 'string';
}
