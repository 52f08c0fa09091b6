// Every way a payment from this page can fail, as one code the page can branch on plus a
// sentence for people. Bridge codes pass through unchanged so the page sees what the extension said.

import type { BridgeErrorCode } from '@opentab/protocol';

/** Failures the widget detects itself, before or instead of an answer from the extension. */
export type LocalErrorCode =
  | 'timeout'
  | 'unknown_item'
  | 'agent_unreachable'
  | 'invalid_response'
  /** A delivery whose every package failed the extension's check: the shop gave up, nothing was charged. */
  | 'delivery_aborted';

export type WidgetErrorCode = BridgeErrorCode | LocalErrorCode;

/** What `Opentab.pay` rejects with; `code` is also the `code` of the matching opentab:error event. */
export class OpentabError extends Error {
  override readonly name = 'OpentabError';

  constructor(
    readonly code: WidgetErrorCode,
    message: string,
  ) {
    super(message);
  }
}
