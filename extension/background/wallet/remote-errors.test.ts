import { describe, expect, it } from 'vitest';
import { RemoteCallError } from '../../../protocol/api/client';
import type { ErrorCode } from '../../../protocol/errors';
import { fromMerchantFailure, fromOperatorFailure } from './remote-errors';

function refused(code: ErrorCode, status: number): RemoteCallError {
  return new RemoteCallError({ kind: 'refused', status, code, message: 'The server said no.' });
}

describe('remote failures as the page sees them', () => {
  it('turns a rate limit at the operator or the merchant into busy, which the page may retry', () => {
    expect(fromOperatorFailure(refused('rate_limited', 429))).toMatchObject({ code: 'busy' });
    expect(fromMerchantFailure(refused('rate_limited', 429))).toMatchObject({ code: 'busy' });
  });

  it('keeps a real refusal a refusal', () => {
    expect(fromOperatorFailure(refused('insufficient_funds', 409))).toMatchObject({ code: 'limit_reached' });
    expect(fromMerchantFailure(refused('price_mismatch', 409))).toMatchObject({ code: 'merchant_refused' });
  });
});
