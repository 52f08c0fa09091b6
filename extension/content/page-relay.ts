// The content script's one job besides the presence marker: relay the page's bridge calls to the
// background and post each answer back to this page's own origin. Only messages this window
// posted to itself, on the page channel, with a known call name, are relayed; everything else
// that flows through postMessage is left alone.

import * as v from 'valibot';
import {
  EXTENSION_TO_PAGE,
  PAGE_TO_EXTENSION,
  PageRequest,
  type BridgeCall,
  type BridgeError,
  type BridgeResult,
  type ExtensionResponse,
} from '../../protocol/messages/bridge';
import { PAGE_CALL_CHANNEL, type PageCallMessage } from '../messaging/page-calls';
import type { CallResult } from '../messaging/result';

export interface RelayWindow {
  readonly location: { readonly origin: string };
  postMessage(message: unknown, targetOrigin: string): void;
}

export interface RelayEvent {
  readonly source: unknown;
  readonly data: unknown;
}

export type SendToBackground = (message: PageCallMessage) => Promise<unknown>;

const NOT_RESPONDING: BridgeError = {
  code: 'internal',
  message: 'Opentab is not responding. Reload the page; if that does not help, restart the browser.',
};

function isCallResult(value: unknown): value is CallResult<unknown, BridgeError['code']> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (candidate.ok === true && 'value' in candidate) || (candidate.ok === false && typeof candidate.error === 'object');
}

function answer(target: RelayWindow, response: ExtensionResponse): void {
  target.postMessage(response, target.location.origin);
}

export async function relayPageMessage(event: RelayEvent, target: RelayWindow, send: SendToBackground): Promise<void> {
  if (event.source !== target) return;
  const data = event.data as { channel?: unknown; requestId?: unknown } | null;
  if (typeof data !== 'object' || data === null || data.channel !== PAGE_TO_EXTENSION) return;
  const parsed = v.safeParse(PageRequest, data);
  if (!parsed.success) {
    if (typeof data.requestId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(data.requestId)) {
      answer(target, {
        channel: EXTENSION_TO_PAGE,
        requestId: data.requestId,
        ok: false,
        error: { code: 'invalid_request', message: 'Opentab does not know this call.' },
      });
    }
    return;
  }
  const request = parsed.output;
  let result: unknown;
  try {
    result = await send({ channel: PAGE_CALL_CHANNEL, call: request.call, params: request.params });
  } catch {
    result = undefined;
  }
  if (!isCallResult(result)) {
    answer(target, { channel: EXTENSION_TO_PAGE, requestId: request.requestId, ok: false, error: NOT_RESPONDING });
  } else if (result.ok) {
    // The background validated its own result; the page's widget checks it again against the call's schema.
    answer(target, { channel: EXTENSION_TO_PAGE, requestId: request.requestId, ok: true, result: result.value as BridgeResult<BridgeCall> });
  } else {
    answer(target, { channel: EXTENSION_TO_PAGE, requestId: request.requestId, ok: false, error: result.error });
  }
}
