// A stand-in for the merchant's MTA, for tests until (and besides) the real operator server: a
// real node:http server on 127.0.0.1 holding an operator key. It signs tab information and
// clearing reports, takes merchant records, answering signed RecordAcks, and shows its key under
// a certificate of a CA of its own on /v1/operator, as an operator does. It can be stopped
// and started again on the same port, to test the agent's record retry.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callRoute } from '@opentab/protocol';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64url } from '@opentab/protocol';
import { seal, signerFromSecretKey, verifyEnvelope, type PayloadBody, type Signer } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { newPrefixedId } from '@opentab/protocol';
import type { OperatorCertificatePayload, OperatorInfo, TabCustomerCertificatePayload } from '@opentab/protocol';
import type {
  MerchantRecord,
  RecordRequest,
  RecordRequestPayload,
  TabCleared,
  TabClearedPayload,
  TabInformation,
  TabInformationAck,
  TabInformationPayload,
} from '@opentab/protocol';
import type { ClearingOutcome, RecordAck, RecordAckPayload } from '@opentab/protocol';
import type {
  DisputeResolutionPayload,
  MerchantDisputeDecision,
  MerchantDisputeDecisionPayload,
} from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import type { WireAmount } from '@opentab/protocol';
import { readJsonBody, sendError, sendJson } from '@opentab/server-kit';
import { formatTimestamp } from '@opentab/protocol';

export interface TabTerms {
  readonly merchantId: string;
  readonly tabPublicKey: string;
  readonly deposit: WireAmount;
  readonly chain: { readonly root: string; readonly unit: WireAmount; readonly length: number };
  readonly expiresAt_ms: number;
  readonly tabId?: string;
  readonly pseudonym?: string;
  readonly now_ms?: number;
  /** Fields of the embedded customer certificate to falsify, for refusal tests. */
  readonly certificate?: Partial<
    Pick<TabCustomerCertificatePayload, 'tabId' | 'pseudonym' | 'merchantId' | 'operatorId'>
  > & { readonly signer?: Signer };
}

export class StandInMta {
  readonly signer: Signer;
  /** Records answered with an ack, first copy of each record id. */
  readonly records: MerchantRecord[] = [];
  /** Every POST of a record, answered or not. */
  recordDeliveries = 0;
  /** How many of the next records to refuse as stale_message, as an MTA would after a long outage. */
  staleRefusalsToGive = 0;
  /** The records refused as stale, in order. */
  readonly refusedAsStale: MerchantRecord[] = [];
  /** Signs record acks instead of the operator key when set, as an impostor would. */
  ackSigner: Signer | null = null;
  private server: Server | null = null;
  private port = 0;
  private readonly ca = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());

  private constructor(
    readonly operatorId: string,
    private readonly merchantPublicKeys: Map<string, Uint8Array>,
  ) {
    this.signer = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
  }

  static async start(operatorId = 'standin-op'): Promise<StandInMta> {
    const mta = new StandInMta(operatorId, new Map());
    await mta.listen();
    return mta;
  }

  get operatorPublicKey(): string {
    return this.signer.kid;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Records from this merchant are acknowledged only if its key signed them. */
  registerMerchant(merchantId: string, publicKey: string): void {
    this.merchantPublicKeys.set(merchantId, fromBase64url(publicKey));
  }

  /** Listens again on the same port after `stop`. */
  async listen(): Promise<void> {
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  tabInformation(terms: TabTerms): TabInformation {
    const now_ms = terms.now_ms ?? Date.now();
    const tabId = terms.tabId ?? newPrefixedId(nodeCrypto, 'tab');
    const pseudonym = terms.pseudonym ?? newPrefixedId(nodeCrypto, 'psn');
    const { signer: certificateSigner = this.signer, ...falsified } = terms.certificate ?? {};
    const certificateBody = {
      type: 'tab-customer-certificate',
      operatorId: this.operatorId,
      merchantId: terms.merchantId,
      tabId,
      pseudonym,
      tabPublicKey: terms.tabPublicKey,
      validUntil: formatTimestamp(terms.expiresAt_ms + 3600_000),
      ...falsified,
    } as const;
    const customerCertificate = seal(
      nodeCrypto,
      certificateSigner,
      certificateBody satisfies PayloadBody<TabCustomerCertificatePayload>,
      now_ms,
    );
    const body = {
      type: 'tab-information',
      operatorId: this.operatorId,
      merchantId: terms.merchantId,
      tabId,
      pseudonym,
      customerCertificate,
      deposit: terms.deposit,
      chain: terms.chain,
      expiresAt: formatTimestamp(terms.expiresAt_ms),
    } as const;
    return seal(nodeCrypto, this.signer, body satisfies PayloadBody<TabInformationPayload>, now_ms);
  }

  /** Sends the information to the agent as the MTA does, returning the agent's signed ack. */
  announceTab(agentUrl: string, information: TabInformation): Promise<TabInformationAck> {
    return callRoute(agentUrl, MERCHANT_AGENT_API.tabInformation, information);
  }

  tabCleared(merchantId: string, tabId: string, cleared: WireAmount, outcome: ClearingOutcome = 'agreed'): TabCleared {
    const body = { type: 'tab-cleared', operatorId: this.operatorId, merchantId, tabId, cleared, outcome } as const;
    return seal(nodeCrypto, this.signer, body satisfies PayloadBody<TabClearedPayload>);
  }

  /** The MTA's decision on a disputed tab (an uphold of what it cleared), as the agent receives it. */
  disputeDecision(merchantId: string, tabId: string, cleared: WireAmount): MerchantDisputeDecision {
    const resolution = seal(nodeCrypto, this.signer, {
      type: 'dispute-resolution',
      operatorId: this.operatorId,
      disputeId: `dispute:${tabId}`,
      tabId,
      transactionId: `${this.operatorId}.1.1`,
      customerOperatorId: 'standin-am',
      merchantId,
      decision: 'uphold',
      clearedBefore: cleared,
      clearedAfter: cleared,
      revision: 0,
      reason: 'The chain proves what was cleared.',
    } satisfies PayloadBody<DisputeResolutionPayload>);
    const body = { type: 'merchant-dispute-decision', operatorId: this.operatorId, merchantId, resolution } as const;
    return seal(nodeCrypto, this.signer, body satisfies PayloadBody<MerchantDisputeDecisionPayload>);
  }

  /** The MTA's request for the agent's record of a tab. */
  recordRequest(merchantId: string, tabId: string): RecordRequest {
    const body = { type: 'record-request', operatorId: this.operatorId, merchantId, tabId } as const;
    return seal(nodeCrypto, this.signer, body satisfies PayloadBody<RecordRequestPayload>);
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (request.method === 'GET' && request.url === OPERATOR_API.operatorInfo.path) {
        sendJson(response, 200, this.operatorInfo());
        return;
      }
      if (request.method !== 'POST' || request.url !== OPERATOR_API.merchantRecord.path)
        throw new OpentabError('not_found');
      this.recordDeliveries++;
      const parsed = parseMessage(
        OPERATOR_API.merchantRecord.request,
        await readJsonBody(request, OPERATOR_API.merchantRecord.maxBody_bytes),
      );
      if (!parsed.ok) throw parsed.error;
      if (this.staleRefusalsToGive > 0) {
        this.staleRefusalsToGive--;
        this.refusedAsStale.push(parsed.value);
        throw new OpentabError('stale_message');
      }
      sendJson(response, 200, this.acknowledge(parsed.value));
    } catch (error) {
      sendError(response, error instanceof OpentabError ? error : new OpentabError('internal_error'));
    }
  }

  private operatorInfo(): OperatorInfo {
    const certificate = seal(nodeCrypto, this.ca, {
      type: 'operator-certificate',
      operatorId: this.operatorId,
      publicKey: this.signer.kid,
      baseUrl: this.baseUrl,
      currencies: ['EUR'],
      validUntil: formatTimestamp(Date.now() + 365 * 86_400_000),
    } satisfies PayloadBody<OperatorCertificatePayload>);
    return { operatorId: this.operatorId, currency: 'EUR', certificate };
  }

  private acknowledge(record: MerchantRecord): RecordAck {
    const merchantKey = this.merchantPublicKeys.get(record.payload.merchantId);
    if (merchantKey === undefined) throw new OpentabError('unknown_merchant');
    if (!verifyEnvelope(nodeCrypto, record, merchantKey)) throw new OpentabError('bad_signature');
    if (!this.records.some((known) => known.payload.id === record.payload.id)) this.records.push(record);
    const body = {
      type: 'record-ack',
      operatorId: this.operatorId,
      recordId: record.payload.id,
      tabId: record.payload.tabId,
      status: 'recorded',
    } as const;
    return seal(nodeCrypto, this.ackSigner ?? this.signer, body satisfies PayloadBody<RecordAckPayload>);
  }
}
