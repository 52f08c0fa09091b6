import { describeRateSource } from '@opentab/protocol';
import type { CallError } from '../messaging/result';
import type { RateStatusView } from '../messaging/views';
import { showDateTime } from '../ui/format';

/**
 * The cached rate table in one line: whose rates of which day, until when they are used; sample
 * rates are never called current. When nothing can be converted it says why, in the operator's
 * own words when the operator refused to publish rates.
 */
export function RateStatus({
  rates,
  onRefresh,
  refreshing,
  refreshError,
}: {
  rates: RateStatusView;
  onRefresh: () => void;
  refreshing: boolean;
  /** Why the last click on Refresh failed: said right after the button. */
  refreshError: CallError | null;
}) {
  const refresh = (
    <>
      <button type="button" onClick={onRefresh} disabled={refreshing}>
        {refreshing ? 'Refreshing…' : 'Refresh rates'}
      </button>
      {refreshError && (
        <span class="error refresh-error" role="alert" data-testid="refresh-error">
          {refreshError.message}
        </span>
      )}
    </>
  );
  const until =
    rates.validUntil === null ? null : <time dateTime={rates.validUntil}>{showDateTime(rates.validUntil)}</time>;
  const source = <span data-testid="rate-source">{describeRateSource(rates.source)}</span>;
  // The rates themselves, against the customer's currency, folded: most customers need one of them.
  const quotes =
    rates.quotes.length === 0 ? null : (
      <details class="rates small" data-testid="rate-quotes">
        <summary>
          {rates.quotes.length === 1 ? 'The rate' : `All ${rates.quotes.length} rates`} (
          {describeRateSource(rates.source)})
        </summary>
        <ul>
          {rates.quotes.map((quote) => (
            <li key={quote}>{quote}</li>
          ))}
        </ul>
      </details>
    );
  if (rates.status === 'current') {
    return (
      <>
        <p class="muted" data-testid="rate-status">
          {source}
          {rates.source?.sample ? <>, not current rates; in use until {until}.</> : <>, current until {until}.</>}{' '}
          {refresh}
        </p>
        {quotes}
      </>
    );
  }
  return (
    <p class="warning" role="status" data-testid="rate-status">
      {rates.refusal !== null ? (
        <>Your operator has no current exchange rates, so prices cannot be converted. {rates.refusal}</>
      ) : rates.status === 'expired' ? (
        <>
          Your operator's exchange rates ({source}) expired at {until}: prices cannot be converted until new rates
          arrive.
        </>
      ) : (
        'No exchange rates yet: prices cannot be converted.'
      )}{' '}
      {refresh}
    </p>
  );
}
