// Routes of a merchant agent, relative to where the merchant mounts it (e.g. https://shop/opentab).

import {
  MerchantInfo,
  MerchantRecord,
  Purchase,
  RecordRequest,
  Receipt,
  ReceiptList,
  ReceiptsRequest,
  TabCleared,
  TabClosed,
  TabInformation,
  TabInformationAck,
  Terminate,
} from '../messages/merchant';
import { MerchantDisputeDecision } from '../messages/merchant-dispute-decision';
import * as v from 'valibot';
import { SMALL_BODY_BYTES, LARGE_BODY_BYTES, route } from './route';

export const MERCHANT_AGENT_API = {
  info: route({
    method: 'GET',
    path: '/info',
    summary: "The merchant's id, operator, currency, catalogue and chain unit, for the widget and the customer agent.",
    auth: 'public',
    request: null,
    response: MerchantInfo,
    maxBody_bytes: 0,
  }),
  tabInformation: route({
    method: 'POST',
    path: '/mta/tab-information',
    summary: 'The MTA announces a tab and its deposit; answered with a signed ack.',
    auth: 'operator-signature',
    request: TabInformation,
    response: TabInformationAck,
    maxBody_bytes: LARGE_BODY_BYTES,
  }),
  tabCleared: route({
    method: 'POST',
    path: '/mta/tab-cleared',
    summary: 'The MTA reports what the merchant was credited for a tab.',
    auth: 'operator-signature',
    request: TabCleared,
    response: v.strictObject({ received: v.literal(true) }),
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  disputeDecision: route({
    method: 'POST',
    path: '/mta/dispute-decision',
    summary:
      "The MTA's signed decision on a disputed tab (uphold or adjustment) with its reason; the agent keeps the first for each tab.",
    auth: 'operator-signature',
    request: MerchantDisputeDecision,
    response: v.strictObject({ received: v.literal(true) }),
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  recordRequest: route({
    method: 'POST',
    path: '/mta/record-request',
    summary:
      "The MTA asks for the merchant's record of a tab that is stopping; the agent stops it if open and answers with its signed record.",
    auth: 'operator-signature',
    request: RecordRequest,
    response: MerchantRecord,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  purchase: route({
    method: 'POST',
    path: '/purchase',
    summary: 'One click-to-pay purchase, paid by revealing a hash-chain link.',
    auth: 'public',
    request: Purchase,
    response: Receipt,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  receipts: route({
    method: 'POST',
    path: '/receipts',
    summary:
      "The tab's receipts after a sequence number, for a customer agent that lost track of a purchase (signed by the tab key).",
    auth: 'tab-signature',
    request: ReceiptsRequest,
    response: ReceiptList,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  terminate: route({
    method: 'POST',
    path: '/terminate',
    summary: 'The customer stops the tab (signed by the tab key).',
    auth: 'tab-signature',
    request: Terminate,
    response: TabClosed,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
} as const;

export type MerchantAgentRoute = keyof typeof MERCHANT_AGENT_API;
