// Calls to other operators by id. A call to this operator itself (customer and merchant at the
// same operator) goes straight to the local handler, through the same verification as over HTTP.

import { callRoute, RemoteCallError, type HttpTransport } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import type { RequestOf, ResponseOf, RouteSpec } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { OperatorCertificate } from '@opentab/protocol';
import type { PeerTrust } from '../identity/peer-trust';

export const PEER_ROUTES = {
  peerMerchantLookup: OPERATOR_API.peerMerchantLookup,
  peerInitiation: OPERATOR_API.peerInitiation,
  peerCustomerRecord: OPERATOR_API.peerCustomerRecord,
  peerClearing: OPERATOR_API.peerClearing,
  peerDisputeDecision: OPERATOR_API.peerDisputeDecision,
} as const;
export type PeerRoute = keyof typeof PEER_ROUTES;

export type LocalPeerHandlers = {
  readonly [R in PeerRoute]: (body: RequestOf<(typeof PEER_ROUTES)[R]>) => Promise<ResponseOf<(typeof PEER_ROUTES)[R]>>;
};

export interface PeerEndpoint {
  readonly operatorId: string;
  readonly baseUrl: string;
}

/** Peer calls include a whole tab opening at the merchant; give them time, but not forever. */
export const PEER_CALL_TIMEOUT_MS = 15_000;

export class PeerDirectory {
  private readonly endpoints: ReadonlyMap<string, string>;
  private readonly certificates = new Map<string, OperatorCertificate>();
  private local: LocalPeerHandlers | null = null;

  constructor(
    private readonly selfId: string,
    /** Read at each use: a key rotation changes it. */
    private readonly ownCertificate: () => OperatorCertificate,
    peers: readonly PeerEndpoint[],
    private readonly trust: PeerTrust,
    private readonly transport: HttpTransport,
  ) {
    this.endpoints = new Map(peers.map((peer) => [peer.operatorId, peer.baseUrl]));
  }

  /**
   * A peer's CA-checked certificate, fetched from its /v1/operator once and then cached: needed
   * to check what the peer signed when its message does not carry the certificate itself.
   */
  async certificateOf(operatorId: string, now_ms: number): Promise<OperatorCertificate> {
    if (operatorId === this.selfId) return this.ownCertificate();
    let certificate = this.certificates.get(operatorId);
    // A certificate whose key the peer has retired since is fetched anew: the peer serves its successor.
    if (certificate !== undefined && (await this.trust.isRetired(certificate.payload, now_ms))) certificate = undefined;
    if (certificate === undefined) {
      const baseUrl = this.endpoints.get(operatorId);
      if (baseUrl === undefined)
        throw new OpentabError('unknown_peer', `Operator ${operatorId} is not a configured peer of this operator.`);
      let info;
      try {
        info = await callRoute(baseUrl, OPERATOR_API.operatorInfo, undefined, {
          timeout_ms: PEER_CALL_TIMEOUT_MS,
          transport: this.transport,
        });
      } catch {
        throw new OpentabError('peer_unreachable', `Operator ${operatorId} could not be reached.`);
      }
      certificate = info.certificate;
      for (const rotation of info.rotations ?? []) await this.trust.takeRotation(rotation, now_ms);
    }
    const trusted = await this.trust.trustCertificate(certificate, now_ms);
    if (trusted.certificate.operatorId !== operatorId)
      throw new OpentabError(
        'uncertified_peer',
        `The certificate served by ${operatorId} names ${trusted.certificate.operatorId}.`,
      );
    this.certificates.set(operatorId, certificate);
    return certificate;
  }

  /** Set once the MTA and AM handlers exist (they need the directory themselves). */
  attachLocalHandlers(handlers: LocalPeerHandlers): void {
    this.local = handlers;
  }

  knows(operatorId: string): boolean {
    return operatorId === this.selfId || this.endpoints.has(operatorId);
  }

  async call<R extends PeerRoute>(
    operatorId: string,
    route: R,
    body: RequestOf<(typeof PEER_ROUTES)[R]>,
  ): Promise<ResponseOf<(typeof PEER_ROUTES)[R]>> {
    return this.callRoute(operatorId, PEER_ROUTES[route], body, (local) => {
      if (this.local === null) throw new Error('local peer handlers are not attached');
      return this.local[route](local);
    });
  }

  /**
   * A route of an operator extension at a peer (OperatorExtension); at this operator itself,
   * `answerLocally` answers instead, as the operator's own peer routes do.
   */
  async callRoute<R extends RouteSpec>(
    operatorId: string,
    spec: R,
    body: RequestOf<R>,
    answerLocally: (body: RequestOf<R>) => Promise<ResponseOf<R>>,
  ): Promise<ResponseOf<R>> {
    if (operatorId === this.selfId) return answerLocally(body);
    const baseUrl = this.endpoints.get(operatorId);
    if (baseUrl === undefined)
      throw new OpentabError('unknown_peer', `Operator ${operatorId} is not a configured peer of this operator.`);
    try {
      return await callRoute(baseUrl, spec, body, { timeout_ms: PEER_CALL_TIMEOUT_MS, transport: this.transport });
    } catch (error) {
      if (!(error instanceof RemoteCallError)) throw error;
      const failure = error.failure;
      if (failure.kind === 'unreachable')
        throw new OpentabError('peer_unreachable', `Operator ${operatorId} could not be reached.`);
      // The peer's own refusal (unknown merchant, wrong currency, merchant unreachable…) is the most useful
      // answer to pass on.
      if (failure.kind === 'refused' && failure.code !== 'unknown' && failure.code !== 'internal_error') {
        throw new OpentabError(failure.code, `Operator ${operatorId}: ${failure.message}`);
      }
      throw new OpentabError('peer_refused', `Operator ${operatorId}: ${failure.message}`);
    }
  }
}
