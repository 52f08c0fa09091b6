// Before any money is held, the customer agent asks its own AM for the merchant's certificate:
// the AM fetches it from the merchant's operator, checks that operator's signature, and vouches
// for it with its own (zone 4), passing on the merchant operator's CA-signed certificate so that
// the customer agent can check that operator against the CA too.

import { fromBase64urlOfLength } from '@opentab/protocol';
import { seal, verifyEnvelope, type PayloadBody } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { MerchantQuery, MerchantVouch, MerchantVouchPayload } from '@opentab/protocol';
import type { MerchantLookupPayload } from '@opentab/protocol';
import type { OperatorContext } from '../operator-context';
import { assertPeerInGoodStanding } from '../revocation/revocations';
import { authenticateCustomer, requireSession } from './customer-auth';

export async function vouchForMerchant(
  context: OperatorContext,
  query: MerchantQuery,
  now_ms: number,
): Promise<MerchantVouch> {
  const p = query.payload;
  const customer = await authenticateCustomer(context, query, now_ms);
  await requireSession(context, p.sessionId, customer.accountId, now_ms);
  if (!context.peers.knows(p.merchantOperatorId))
    throw new OpentabError('unknown_merchant', `Operator ${p.merchantOperatorId} is not known here.`);
  await assertPeerInGoodStanding(context.storage.revocations, p.merchantOperatorId);
  const lookup = seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'merchant-lookup',
      operatorCertificate: context.identity.certificate,
      merchantId: p.merchantId,
    } satisfies PayloadBody<MerchantLookupPayload>,
    now_ms,
  );
  const certificate = await context.peers.call(p.merchantOperatorId, 'peerMerchantLookup', lookup);
  const mta = await context.peers.certificateOf(p.merchantOperatorId, now_ms);
  const genuine =
    certificate.payload.operatorId === p.merchantOperatorId &&
    certificate.payload.merchantId === p.merchantId &&
    Date.parse(certificate.payload.validUntil) > now_ms &&
    verifyEnvelope(context.crypto, certificate, fromBase64urlOfLength(mta.payload.publicKey, 32));
  if (!genuine)
    throw new OpentabError(
      'peer_refused',
      `Operator ${p.merchantOperatorId} answered with a certificate it did not sign.`,
    );
  return seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'merchant-vouch',
      operatorId: context.identity.operatorId,
      merchantCertificate: certificate,
      merchantOperatorCertificate: mta,
    } satisfies PayloadBody<MerchantVouchPayload>,
    now_ms,
  );
}
