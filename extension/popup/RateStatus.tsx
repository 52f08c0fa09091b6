import type { RateStatusView } from '../messaging/views';
import { showDateTime } from '../ui/format';

export function RateStatus({ rates, onRefresh, refreshing }: { rates: RateStatusView; onRefresh: () => void; refreshing: boolean }) {
  const refresh = (
    <button type="button" onClick={onRefresh} disabled={refreshing}>
      {refreshing ? 'Refreshing…' : 'Refresh rates'}
    </button>
  );
  if (rates.status === 'current') {
    return (
      <p class="muted" data-testid="rate-status">
        Exchange rates current until <time dateTime={rates.validUntil!}>{showDateTime(rates.validUntil!)}</time>. {refresh}
      </p>
    );
  }
  return (
    <p class="warning" role="status" data-testid="rate-status">
      {rates.status === 'expired' ? (
        <>
          Your operator's exchange rates expired at <time dateTime={rates.validUntil!}>{showDateTime(rates.validUntil!)}</time>: prices cannot be
          converted until new rates arrive.
        </>
      ) : (
        'No exchange rates yet: prices cannot be converted.'
      )}{' '}
      {refresh}
    </p>
  );
}
