// The customer agent's line to its own operator: enrolment, log-on, and every signed call after
// that. Each call carries a session id; an expired or unknown session is renewed once, silently.

import { callRoute, refusalCodeOf, RemoteCallError } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { fromBase64urlOfLength } from '@opentab/protocol';
import { seal, type PayloadBody } from '@opentab/protocol';
import type {
  AccountView,
  CustomerRecord,
  EnrollPayload,
  EnrollResult,
  Initiation,
  LogonPayload,
  MerchantVouch,
  OperatorInfo,
  TabOpened,
} from '@opentab/protocol';
import type { RecordAck } from '@opentab/protocol';
import type { RateTable } from '@opentab/protocol';
import { isSecureAddress } from '@opentab/protocol';
import { parseTimestamp } from '@opentab/protocol';
import { AgentError, walletNotEnrolled } from '../errors';
import type { Vault } from '../keys/vault';
import type { Clock } from '../ports';
import type { AgentDatabase } from '../storage/database';
import type { Enrolment, OperatorSession } from './enrolment-record';
import { believedKey, followRotations } from './operator-keys';
import { ownCertificateProblem, trustAnchorsOf, type TrustAnchors } from './trust-anchors';
import { fromOperatorFailure } from './remote-errors';

export type RateTableAnswer =
  | { readonly kind: 'table'; readonly table: RateTable }
  /** The operator has no rates fit to publish; `message` is its own sentence saying why. */
  | { readonly kind: 'refused'; readonly code: 'rates_stale' | 'rates_unavailable'; readonly message: string };

/** Renew a session this long before the operator would call it expired. */
const SESSION_MARGIN_MS = 30_000;

export class OperatorLink {
  constructor(
    private readonly db: AgentDatabase,
    private readonly vault: Vault,
    private readonly crypto: CryptoProvider,
    private readonly clock: Clock,
    private readonly fetchImpl: typeof fetch,
  ) {}

  async enrolment(): Promise<Enrolment> {
    const enrolment = await this.db.meta.get('enrolment');
    if (!enrolment) throw walletNotEnrolled();
    return enrolment;
  }

  operatorKey(enrolment: Enrolment): Uint8Array {
    return fromBase64urlOfLength(enrolment.operatorPublicKey, 32);
  }

  /**
   * The own operator's key that signed `kid`: the enrolled key, or, after the operator rotated its
   * key, its successor (the enrolment moves on to it) or a retiring key before its retirement.
   * Null for any other key; the caller's signature check then fails as it would have.
   */
  async operatorKeyFor(kid: string): Promise<Uint8Array | null> {
    const enrolment = await this.enrolment();
    if (kid === enrolment.operatorPublicKey) return this.operatorKey(enrolment);
    let info: OperatorInfo;
    try {
      info = await callRoute(enrolment.baseUrl, OPERATOR_API.operatorInfo, undefined, { fetch: this.fetchImpl });
    } catch {
      return null;
    }
    const following = followRotations(this.crypto, enrolment, info.rotations ?? []);
    if (following.enrolment.operatorPublicKey !== enrolment.operatorPublicKey)
      await this.db.meta.put('enrolment', following.enrolment);
    return believedKey(following, kid, this.clock.now_ms()) ? fromBase64urlOfLength(kid, 32) : null;
  }

  /** The own operator and the CA pinned at enrolment. */
  trustAnchors(enrolment: Enrolment): TrustAnchors {
    const anchors = trustAnchorsOf(this.crypto, enrolment);
    if (anchors === null)
      throw new AgentError(
        'merchant_refused',
        "Your operator's certificate, kept since enrolment, does not verify: enrol again to trust any merchant.",
      );
    return anchors;
  }

  async enrol(operatorUrl: string, code: string): Promise<Enrolment> {
    if (await this.db.meta.get('enrolment')) {
      throw new AgentError('already_enrolled', 'This wallet is already enrolled with an operator.');
    }
    const baseUrl = normaliseOperatorUrl(operatorUrl);
    const signer = await this.vault.signer();
    const info = await callRoute(baseUrl, OPERATOR_API.operatorInfo, undefined, { fetch: this.fetchImpl }).catch(
      (error: unknown) => {
        if (
          error instanceof RemoteCallError &&
          error.failure.kind === 'bad_response' &&
          error.failure.code === 'weak_key'
        ) {
          throw new AgentError(
            'enrollment_refused',
            `The operator at ${baseUrl} names a key no one can safely trust (${error.failure.message}).`,
          );
        }
        // The address was just typed: a wrong one is the likelier cause than the operator being down.
        if (error instanceof RemoteCallError && error.failure.kind !== 'refused') throw noOperatorAt(baseUrl);
        throw fromOperatorFailure(error);
      },
    );
    const certificate = info.certificate.payload;
    if (certificate.operatorId !== info.operatorId || !certificate.currencies.includes(info.currency)) {
      throw new AgentError(
        'enrollment_refused',
        'The operator at that address sent a certificate that does not match it.',
      );
    }
    // Its signer becomes the CA this wallet checks every merchant's operator against (trust-anchors.ts).
    const certificateProblem = ownCertificateProblem(this.crypto, info.certificate, this.clock.now_ms());
    if (certificateProblem !== null)
      throw new AgentError(
        'enrollment_refused',
        `The operator at ${baseUrl} cannot be trusted: ${certificateProblem}.`,
      );
    const request = seal(
      this.crypto,
      signer,
      { type: 'enroll', code: code.trim().toUpperCase(), publicKey: signer.kid } satisfies PayloadBody<EnrollPayload>,
      this.clock.now_ms(),
    );
    const result: EnrollResult = await callRoute(baseUrl, OPERATOR_API.enroll, request, {
      fetch: this.fetchImpl,
    }).catch((error: unknown) => {
      if (error instanceof RemoteCallError && error.failure.kind === 'refused') {
        throw new AgentError('enrollment_refused', `The operator refused the enrolment. ${error.failure.message}`);
      }
      throw fromOperatorFailure(error);
    });
    if (
      result.operatorId !== info.operatorId ||
      result.operatorCertificate.payload.publicKey !== certificate.publicKey ||
      result.operatorCertificate.kid !== info.certificate.kid
    ) {
      throw new AgentError(
        'enrollment_refused',
        'The enrolment answer names a different operator key than the operator published.',
      );
    }
    const enrolment: Enrolment = {
      operatorId: info.operatorId,
      baseUrl,
      currency: result.currency,
      operatorPublicKey: certificate.publicKey,
      operatorCertificate: info.certificate,
      accountId: result.accountId,
      enrolledAt_ms: this.clock.now_ms(),
    };
    await this.db.meta.put('enrolment', enrolment);
    await this.db.meta.delete('operatorSession');
    return enrolment;
  }

  /** The operator's current table, or its refusal to publish one (its rates too old, or none yet); other
   * failures throw. */
  async fetchRateTable(): Promise<RateTableAnswer> {
    const { baseUrl } = await this.enrolment();
    try {
      return {
        kind: 'table',
        table: await callRoute(baseUrl, OPERATOR_API.rateTable, undefined, { fetch: this.fetchImpl }),
      };
    } catch (error) {
      const code = refusalCodeOf(error);
      if (code === 'rates_stale' || code === 'rates_unavailable')
        return { kind: 'refused', code, message: (error as RemoteCallError).failure.message };
      throw fromOperatorFailure(error);
    }
  }

  async account(): Promise<AccountView> {
    return this.withSession(async (enrolment, sessionId, signer) =>
      callRoute(
        enrolment.baseUrl,
        OPERATOR_API.account,
        seal(
          this.crypto,
          signer,
          { type: 'account-query', accountId: enrolment.accountId, sessionId },
          this.clock.now_ms(),
        ),
        { fetch: this.fetchImpl },
      ),
    );
  }

  async merchantQuery(merchantId: string, merchantOperatorId: string): Promise<MerchantVouch> {
    return this.withSession(async (enrolment, sessionId, signer) =>
      callRoute(
        enrolment.baseUrl,
        OPERATOR_API.merchantQuery,
        seal(
          this.crypto,
          signer,
          { type: 'merchant-query', accountId: enrolment.accountId, sessionId, merchantId, merchantOperatorId },
          this.clock.now_ms(),
        ),
        { fetch: this.fetchImpl },
      ),
    );
  }

  /** The initiation is signed by the caller (it must be persisted first, so it can be re-sent unchanged). */
  async openTab(initiation: Initiation): Promise<TabOpened> {
    const { baseUrl } = await this.enrolment();
    // The operator opens the tab through the MTA and the merchant agent before answering.
    try {
      return await callRoute(baseUrl, OPERATOR_API.openTab, initiation, { fetch: this.fetchImpl, timeout_ms: 30_000 });
    } catch (error) {
      if (isUndecidedOpening(error)) throw new OpeningUndecided(fromOperatorFailure(error));
      throw fromOperatorFailure(error);
    }
  }

  async customerRecord(record: CustomerRecord): Promise<RecordAck> {
    // The ack comes from whichever operator runs the MTA; the customer keeps it as it is.
    const { baseUrl } = await this.enrolment();
    return this.call(() => callRoute(baseUrl, OPERATOR_API.customerRecord, record, { fetch: this.fetchImpl }));
  }

  /** A current session id, logging on when there is none or it is about to expire. */
  async sessionId(forceNew = false): Promise<string> {
    const stored = await this.db.meta.get('operatorSession');
    if (!forceNew && stored && stored.expiresAt_ms - SESSION_MARGIN_MS > this.clock.now_ms()) return stored.sessionId;
    const enrolment = await this.enrolment();
    const signer = await this.vault.signer();
    const request = seal(
      this.crypto,
      signer,
      { type: 'logon', accountId: enrolment.accountId } satisfies PayloadBody<LogonPayload>,
      this.clock.now_ms(),
    );
    const result = await this.call(() =>
      callRoute(enrolment.baseUrl, OPERATOR_API.logon, request, { fetch: this.fetchImpl }),
    );
    const session: OperatorSession = {
      sessionId: result.sessionId,
      expiresAt_ms: parseTimestamp(result.expiresAt) ?? this.clock.now_ms(),
    };
    await this.db.meta.put('operatorSession', session);
    return session.sessionId;
  }

  private async withSession<T>(
    send: (enrolment: Enrolment, sessionId: string, signer: Awaited<ReturnType<Vault['signer']>>) => Promise<T>,
  ): Promise<T> {
    const enrolment = await this.enrolment();
    const signer = await this.vault.signer();
    try {
      return await send(enrolment, await this.sessionId(), signer);
    } catch (error) {
      if (
        error instanceof RemoteCallError &&
        error.failure.kind === 'refused' &&
        error.failure.code === 'session_invalid'
      ) {
        return this.call(async () => send(enrolment, await this.sessionId(true), signer));
      }
      throw fromOperatorFailure(error);
    }
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw fromOperatorFailure(error);
    }
  }
}

/**
 * The AM answered, but without a decision: it could not reach the merchant's operator, or that
 * operator failed without saying what it did. The AM keeps the transaction (and its hold) opening
 * until it learns more; re-sending the same initiation asks it again.
 */
export class OpeningUndecided extends AgentError {
  constructor(cause: AgentError) {
    super(cause.code, cause.message);
  }
}

const UNDECIDED_CODES: ReadonlySet<string> = new Set(['peer_unreachable', 'peer_refused', 'internal_error']);

function isUndecidedOpening(error: unknown): boolean {
  if (!(error instanceof RemoteCallError)) return false;
  return (
    error.failure.kind === 'unreachable' ||
    (error.failure.kind === 'refused' && UNDECIDED_CODES.has(error.failure.code))
  );
}

function noOperatorAt(baseUrl: string): AgentError {
  return new AgentError(
    'operator_unreachable',
    `No Opentab operator answered at ${baseUrl}. Check the address and your connection, then try again.`,
  );
}

export function normaliseOperatorUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new AgentError(
      'invalid_request',
      'The operator address must be a full URL such as https://operator.example.',
    );
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw new AgentError('invalid_request', 'The operator address must be an http(s) URL without credentials.');
  }
  if (!isSecureAddress(url.href)) {
    throw new AgentError(
      'invalid_request',
      'The operator address must start with https:// (plain http:// only for an operator on this computer: localhost, 127.0.0.1 or [::1]), so that enrolment and payments are encrypted.',
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
