import { describe, expect, it } from 'vitest';
import { RemoteCallError } from '@opentab/protocol';
import type { ErrorCode } from '@opentab/protocol';
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

  it('speaks to the customer in sentences, without URLs, fetch errors or error codes', () => {
    const unreachable = new RemoteCallError({
      kind: 'unreachable',
      message: 'POST http://127.0.0.1:7201/v1/customer/account: Failed to fetch',
    });
    const unreadable = new RemoteCallError({
      kind: 'bad_response',
      status: 404,
      message: 'http://127.0.0.1:7201/v1/rates answered 404 with non-JSON',
    });
    expect(fromOperatorFailure(unreachable)).toMatchObject({
      code: 'operator_unreachable',
      message: 'Your operator could not be reached. Check your connection and try again.',
    });
    expect(fromOperatorFailure(unreadable)).toMatchObject({
      code: 'operator_unreachable',
      message: 'Your operator sent an answer Opentab cannot read. Try again later.',
    });
    expect(fromMerchantFailure(unreachable)).toMatchObject({
      code: 'merchant_unreachable',
      message: "The merchant's payment service could not be reached. Try again in a moment.",
    });
    expect(fromOperatorFailure(refused('deposit_too_small', 400)).message).toBe(
      'Your operator refused the request. The server said no.',
    );
    expect(fromMerchantFailure(refused('price_mismatch', 409)).message).toBe(
      'The merchant refused the purchase. The server said no.',
    );
    expect(fromOperatorFailure(new TypeError('x is undefined'))).toMatchObject({
      code: 'internal',
      message: expect.not.stringMatching(/TypeError|undefined/),
    });
  });
});
