// The baseline's two kinds of outbox message at an operator, as extension destinations: a credit
// asked again at the merchant's MTA (AM), a payment notice sent again to the merchant agent (MTA).

import type { OutboxDestination } from '@opentab/operator-server/extension';

export const EXTENSION_NAME = 'direct-payment';

export function creditRetryDestination(merchantOperatorId: string): OutboxDestination {
  return { kind: 'extension', extension: EXTENSION_NAME, target: `credit:${merchantOperatorId}` };
}

export function noticeDestination(merchantId: string): OutboxDestination {
  return { kind: 'extension', extension: EXTENSION_NAME, target: `notice:${merchantId}` };
}

export type OutboxTarget =
  | { readonly kind: 'credit'; readonly operatorId: string }
  | { readonly kind: 'notice'; readonly merchantId: string };

export function readOutboxTarget(target: string): OutboxTarget {
  const colon = target.indexOf(':');
  const kind = target.slice(0, colon);
  const id = target.slice(colon + 1);
  if (kind === 'credit') return { kind, operatorId: id };
  if (kind === 'notice') return { kind, merchantId: id };
  throw new Error(`unknown outbox target ${target}`);
}
