// The content script's one job: relay the page's bridge calls to the background and hand each
// answer back to this page the way the call came, telling a page that says hello at once that the
// extension is here (protocol/core/messages/bridge.ts, Presence). A call arrives either
// as a message this window posted to itself (answered by a message posted to this page's own
// origin), or as a PAGE_REQUEST_EVENT raised on this window with the request as a JSON string
// (answered by an EXTENSION_RESPONSE_EVENT on this window); protocol/core/messages/bridge.ts says why,
// and why it is no less trusted. Either way only requests on the page channel with a known call
// name are relayed; everything else that flows through postMessage or names our event is left alone.

import * as v from 'valibot';
import type { BridgeCall, BridgeError, BridgeResult, ExtensionResponse } from '@opentab/protocol';
import {
  EXTENSION_RESPONSE_EVENT,
  EXTENSION_TO_PAGE,
  PAGE_REQUEST_EVENT_MAX_CHARS,
  PAGE_TO_EXTENSION,
  PageRequest,
  type ExtensionPresence,
} from '@opentab/protocol';
import { PAGE_CALL_CHANNEL, type PageCallMessage } from '../messaging/page-calls';
import type { CallResult } from '../messaging/result';

export interface RelayWindow {
  readonly location: { readonly origin: string };
  postMessage(message: unknown, targetOrigin: string): void;
  dispatchEvent(event: Event): boolean;
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
  return (
    (candidate.ok === true && 'value' in candidate) || (candidate.ok === false && typeof candidate.error === 'object')
  );
}

/** How a request came, and so how it is answered. */
type Transport = 'message' | 'event';

function answer(target: RelayWindow, transport: Transport, response: ExtensionResponse): void {
  if (transport === 'event')
    target.dispatchEvent(new CustomEvent(EXTENSION_RESPONSE_EVENT, { detail: JSON.stringify(response) }));
  else target.postMessage(response, target.location.origin);
}

/** Posted only to a page that asked: on its hello, or on a page marked with PAGE_ASKS_ATTRIBUTE. */
export function announcePresence(target: RelayWindow, presence: ExtensionPresence['presence']): void {
  const notice: ExtensionPresence = { channel: EXTENSION_TO_PAGE, presence };
  target.postMessage(notice, target.location.origin);
}

/** A message posted to this window: relayed only if this window posted it. */
export async function relayPageMessage(event: RelayEvent, target: RelayWindow, send: SendToBackground): Promise<void> {
  if (event.source !== target) return;
  return relayPageRequest(event.data, 'message', target, send);
}

/**
 * The `detail` of a PAGE_REQUEST_EVENT on this window: a PageRequest as a JSON string. Anything
 * else (an object, a number, text that is not JSON, an oversized string) is ignored unanswered,
 * like a posted message that is not ours.
 */
export async function relayPageEvent(detail: unknown, target: RelayWindow, send: SendToBackground): Promise<void> {
  if (typeof detail !== 'string' || detail.length > PAGE_REQUEST_EVENT_MAX_CHARS) return;
  let data: unknown;
  try {
    data = JSON.parse(detail);
  } catch {
    return;
  }
  return relayPageRequest(data, 'event', target, send);
}

async function relayPageRequest(
  message: unknown,
  transport: Transport,
  target: RelayWindow,
  send: SendToBackground,
): Promise<void> {
  const data = message as { channel?: unknown; requestId?: unknown } | null;
  if (typeof data !== 'object' || data === null || data.channel !== PAGE_TO_EXTENSION) return;
  const parsed = v.safeParse(PageRequest, data);
  if (!parsed.success) {
    if (typeof data.requestId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(data.requestId)) {
      answer(target, transport, {
        channel: EXTENSION_TO_PAGE,
        requestId: data.requestId,
        ok: false,
        error: { code: 'invalid_request', message: 'Opentab does not know this call.' },
      });
    }
    return;
  }
  const request = parsed.output;
  // Before the background is asked: it may take a moment to start, and the page should not take
  // that moment for an extension that is not there.
  if (request.call === 'hello') announcePresence(target, 'hello-received');
  let result: unknown;
  try {
    result = await send({ channel: PAGE_CALL_CHANNEL, call: request.call, params: request.params });
  } catch {
    result = undefined;
  }
  if (!isCallResult(result)) {
    answer(target, transport, {
      channel: EXTENSION_TO_PAGE,
      requestId: request.requestId,
      ok: false,
      error: NOT_RESPONDING,
    });
  } else if (result.ok) {
    // The background validated its own result; the page's widget checks it again against the call's schema.
    answer(target, transport, {
      channel: EXTENSION_TO_PAGE,
      requestId: request.requestId,
      ok: true,
      result: result.value as BridgeResult<BridgeCall>,
    });
  } else {
    answer(target, transport, {
      channel: EXTENSION_TO_PAGE,
      requestId: request.requestId,
      ok: false,
      error: result.error,
    });
  }
}
