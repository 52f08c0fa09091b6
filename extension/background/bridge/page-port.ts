// The background's end of a page port (extension/messaging/page-port.ts): each call on it is
// routed exactly as a runtime message from the same sender would be, with the sender the browser
// recorded when the port was opened, and answered on the port with the call's number.

import { isPageCallMessage, type PageCallMessage } from '../../messaging/page-calls';
import { isPagePortRequest, type PagePortAnswer } from '../../messaging/page-port';
import { failed, type CallResult } from '../../messaging/result';

export interface ServedPort {
  postMessage(message: PagePortAnswer): void;
  readonly onMessage: { addListener(listener: (message: unknown) => void): void };
}

export interface PagePortHandlers {
  /** The router, with the port's sender bound by the caller; resolves to undefined for a message it does not route. */
  readonly route: (message: PageCallMessage) => Promise<CallResult<unknown> | undefined>;
  /** Called for a keepalive: anything that tells the browser the background is busy. */
  readonly keepAwake: () => void;
}

const NOT_A_PAGE_CALL = failed('invalid_request', 'Only page calls are taken on this port.');

function reply(port: ServedPort, answer: PagePortAnswer): void {
  try {
    port.postMessage(answer);
  } catch {
    // The page went away meanwhile; nobody is waiting.
  }
}

export function servePagePort(port: ServedPort, { route, keepAwake }: PagePortHandlers): void {
  port.onMessage.addListener((request) => {
    if (!isPagePortRequest(request)) return;
    if (request.kind === 'keepalive') {
      keepAwake();
      return;
    }
    const { id, message } = request;
    if (!isPageCallMessage(message)) {
      reply(port, { id, result: NOT_A_PAGE_CALL });
      return;
    }
    route(message).then(
      (result) => reply(port, { id, result: (result ?? NOT_A_PAGE_CALL) as PagePortAnswer['result'] }),
      () => reply(port, { id, result: failed('internal', 'Opentab failed to handle this call.') }),
    );
  });
}
