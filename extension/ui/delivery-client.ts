// How the extension's pages make the delivery calls (messaging/delivery-calls.ts). Views take a
// DeliveryClient, so component tests give them a fake one.

import browser from 'webextension-polyfill';
import {
  DELIVERY_CALL_CHANNEL,
  type DeliveryCall,
  type DeliveryCallMessage,
  type DeliveryCallResult,
  type DeliveryCalls,
} from '../messaging/delivery-calls';

export interface DeliveryClient {
  call<C extends DeliveryCall>(call: C, params: DeliveryCalls[C]['params']): Promise<DeliveryCallResult<C>>;
}

const NO_ANSWER = {
  ok: false,
  error: { code: 'internal', message: 'The Opentab background did not answer. Reopen this window and try again.' },
} as const;

export const deliveryBackground: DeliveryClient = {
  async call(call, params) {
    const message: DeliveryCallMessage = { channel: DELIVERY_CALL_CHANNEL, call, params };
    try {
      const answer = (await browser.runtime.sendMessage(message)) as DeliveryCallResult<typeof call> | undefined;
      return answer ?? NO_ANSWER;
    } catch {
      return NO_ANSWER;
    }
  },
};

/** The delivery page of one delivery, as a browser tab (from the popup's list). */
export function deliveryPageUrl(localId: string): string {
  return browser.runtime.getURL(`delivery/delivery.html?delivery=${encodeURIComponent(localId)}`);
}
