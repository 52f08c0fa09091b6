// Every route of an operator server that another party calls: customer agents, peer operators,
// merchant agents. Admin routes belong to the operator alone and live in operator-server/.

import * as v from 'valibot';
import { OperatorCertificate } from '../messages/certificates';
import { KeyRotation, KeyRotationAck } from '../messages/key-rotation';
import { RateTable } from '../messages/rate-table';
import {
  AccountQuery,
  AccountView,
  CustomerRecord,
  EnrollRequest,
  EnrollResult,
  Initiation,
  LogonRequest,
  LogonResult,
  MerchantQuery,
  MerchantVouch,
  TabOpened,
} from '../messages/customer';
import {
  AmendedInitiation,
  Clearing,
  ClearingAck,
  CustomerRecordRelay,
  DisputeDecision,
  DisputeDecisionAck,
  MerchantLookup,
  RecordAck,
  TabAck,
} from '../messages/peer';
import { MerchantCertificate } from '../messages/certificates';
import { MerchantRecord } from '../messages/merchant';
import { Refund, RefundAck } from '../messages/refund';
import { CurrencyCode, OperatorId } from '../messages/primitives';
import { LARGE_BODY_BYTES, SMALL_BODY_BYTES, route } from './route';

export const OperatorInfo = v.strictObject({
  operatorId: OperatorId,
  currency: CurrencyCode,
  certificate: OperatorCertificate,
  /**
   * Rotations of this operator's key still to retire or retired lately, each signed by the key it
   * retires: peers and wallets refuse that key from its `retiresAt` on.
   */
  rotations: v.optional(v.array(KeyRotation)),
});
export type OperatorInfo = v.InferOutput<typeof OperatorInfo>;

export const OPERATOR_API = {
  operatorInfo: route({
    method: 'GET',
    path: '/v1/operator',
    summary: "This operator's id, currency and CA-signed certificate.",
    auth: 'public',
    request: null,
    response: OperatorInfo,
    maxBody_bytes: 0,
  }),
  rateTable: route({
    method: 'GET',
    path: '/v1/rates',
    summary: 'The current signed exchange-rate table.',
    auth: 'public',
    request: null,
    response: RateTable,
    maxBody_bytes: 0,
  }),
  enroll: route({
    method: 'POST',
    path: '/v1/customer/enroll',
    summary: 'Bind a customer public key to an account with a one-time code.',
    auth: 'customer-signature',
    request: EnrollRequest,
    response: EnrollResult,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  logon: route({
    method: 'POST',
    path: '/v1/customer/logon',
    summary: 'Start a session; its id prefixes every transaction id.',
    auth: 'customer-signature',
    request: LogonRequest,
    response: LogonResult,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  account: route({
    method: 'POST',
    path: '/v1/customer/account',
    summary: 'Balance, available credit, holds, tabs (with how each cleared) and history of the own account.',
    auth: 'customer-signature',
    request: AccountQuery,
    response: AccountView,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  merchantQuery: route({
    method: 'POST',
    path: '/v1/customer/merchant',
    summary: "A merchant's certificate, fetched from its operator and vouched for by this AM.",
    auth: 'customer-signature',
    request: MerchantQuery,
    response: MerchantVouch,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  openTab: route({
    method: 'POST',
    path: '/v1/customer/tabs',
    summary: 'Initiation: hold the deposit and open a tab through the MTA and merchant.',
    auth: 'customer-signature',
    request: Initiation,
    response: TabOpened,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  customerRecord: route({
    method: 'POST',
    path: '/v1/customer/records',
    summary: "The customer's record of a stopped tab, signed by the tab key.",
    auth: 'tab-signature',
    request: CustomerRecord,
    response: RecordAck,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  peerMerchantLookup: route({
    method: 'POST',
    path: '/v1/peer/merchant',
    summary: "Peer AM asks for one of this operator's merchant certificates.",
    auth: 'operator-signature',
    request: MerchantLookup,
    response: MerchantCertificate,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  peerInitiation: route({
    method: 'POST',
    path: '/v1/peer/initiation',
    summary: 'Amended initiation from the customer AM; answered once the merchant has acknowledged.',
    auth: 'operator-signature',
    request: AmendedInitiation,
    response: TabAck,
    maxBody_bytes: LARGE_BODY_BYTES,
  }),
  peerCustomerRecord: route({
    method: 'POST',
    path: '/v1/peer/customer-record',
    summary: "The customer AM relays the customer's record to the MTA.",
    auth: 'operator-signature',
    request: CustomerRecordRelay,
    response: RecordAck,
    maxBody_bytes: LARGE_BODY_BYTES,
  }),
  peerClearing: route({
    method: 'POST',
    path: '/v1/peer/clearing',
    summary: "The MTA tells the customer's AM what to capture.",
    auth: 'operator-signature',
    request: Clearing,
    response: ClearingAck,
    maxBody_bytes: LARGE_BODY_BYTES,
  }),
  peerDisputeDecision: route({
    method: 'POST',
    path: '/v1/peer/dispute-decision',
    summary: "The MTA gives the customer's AM its signed decision on a disputed tab, for the customer to read.",
    auth: 'operator-signature',
    request: DisputeDecision,
    response: DisputeDecisionAck,
    maxBody_bytes: LARGE_BODY_BYTES,
  }),
  peerKeyRotation: route({
    method: 'POST',
    path: '/v1/peer/key-rotation',
    summary:
      "An operator announces its key's successor and when the key retires, signed by the retiring key; the receiver refuses that key from then on.",
    auth: 'operator-signature',
    request: KeyRotation,
    response: KeyRotationAck,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  merchantRecord: route({
    method: 'POST',
    path: '/v1/merchant/records',
    summary: "The merchant agent's record of a stopped tab.",
    auth: 'merchant-signature',
    request: MerchantRecord,
    response: RecordAck,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  merchantRefund: route({
    method: 'POST',
    path: '/v1/merchant/refunds',
    summary:
      "The merchant gives back part or all of what a tab paid: subtracted from the tab's clearing, or after it a new revision that refunds the customer.",
    auth: 'merchant-signature',
    request: Refund,
    response: RefundAck,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
} as const;

export type OperatorRoute = keyof typeof OPERATOR_API;
