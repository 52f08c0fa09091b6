// Routes a runtime message to the one handler its sender may use: UI calls only from the
// extension's own pages, page calls only from content scripts in web pages.

import { failed } from '../../messaging/result';
import { isPageCallMessage, type PageCallResult } from '../../messaging/page-calls';
import { isUiCallMessage, type UiCallResult } from '../../messaging/ui-calls';
import { isDeliveryCallMessage, type DeliveryCallResult } from '../../messaging/delivery-calls';
import type { CustomerAgent } from '../agent';
import { classifySender, type ExtensionIdentity, type SenderInfo } from './sender';

/** undefined: not a message for us (another listener, or nobody, answers it). */
export function routeMessage(
  agent: Pick<CustomerAgent, 'handlePageCall' | 'handleUiCall'> & Partial<Pick<CustomerAgent, 'handleDeliveryCall'>>,
  message: unknown,
  sender: SenderInfo,
  extension: ExtensionIdentity,
): Promise<PageCallResult | UiCallResult | DeliveryCallResult> | undefined {
  const from = classifySender(sender, extension);
  if (isDeliveryCallMessage(message) && agent.handleDeliveryCall) {
    if (from.kind !== 'extension-page')
      return Promise.resolve(failed('invalid_request', 'Only Opentab’s own pages may make this call.'));
    return agent.handleDeliveryCall(message);
  }
  if (isUiCallMessage(message)) {
    if (from.kind !== 'extension-page')
      return Promise.resolve(failed('invalid_request', 'Only Opentab’s own pages may make this call.'));
    return agent.handleUiCall(message);
  }
  if (isPageCallMessage(message)) {
    if (from.kind !== 'web-page')
      return Promise.resolve(failed('invalid_request', 'Page calls are accepted from web pages only.'));
    return agent.handlePageCall(message, from.caller);
  }
  return undefined;
}
