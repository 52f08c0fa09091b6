// A peer AM asks for one of this operator's merchant certificates before its customer opens a tab.

import { OpentabError } from '@opentab/protocol';
import type { MerchantCertificate } from '@opentab/protocol';
import type { MerchantLookup } from '@opentab/protocol';
import { assertFresh } from '../account-manager/customer-auth';
import type { OperatorContext } from '../operator-context';
import { assertMerchantInGoodStanding, assertPeerInGoodStanding } from '../revocation/revocations';
import type { MerchantCertificates } from './merchant-certificates';

export async function lookUpMerchant(
  context: OperatorContext,
  certificates: MerchantCertificates,
  lookup: MerchantLookup,
  now_ms: number,
): Promise<MerchantCertificate> {
  const sender = await context.trust.verifyPeerEnvelope(lookup, now_ms);
  assertFresh(context, lookup.payload.iat, now_ms);
  await assertPeerInGoodStanding(context.storage.revocations, sender.operatorId);
  const merchant = await context.storage.merchants.merchant(lookup.payload.merchantId);
  if (merchant === null) throw new OpentabError('unknown_merchant');
  await assertMerchantInGoodStanding(context.storage.revocations, merchant.merchantId);
  if (merchant.status === 'suspended') throw new OpentabError('merchant_suspended');
  return certificates.certificateFor(merchant, now_ms);
}
