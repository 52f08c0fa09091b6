// The purchases of a period as CSV, for the merchant's books.

import { useState } from 'preact/hooks';
import { errorText } from '@opentab/console-ui';
import type { PageProps } from '../App';

export function Export({ api }: PageProps) {
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  const download = async () => {
    setOutcome(null);
    try {
      const csv = await api.file('/admin/export/purchases.csv', {
        from: from === '' ? undefined : new Date(`${from}T00:00:00`).toISOString(),
        until: until === '' ? undefined : new Date(`${until}T00:00:00`).toISOString(),
      });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(csv);
      link.download = 'purchases.csv';
      link.click();
      URL.revokeObjectURL(link.href);
      setOutcome('Downloaded purchases.csv.');
    } catch (failure) {
      setOutcome(errorText(failure));
    }
  };
  return (
    <section>
      <h1>Export</h1>
      <p class="muted">
        Every purchase of the period, one line each: its tab, item, price, time, and the refund that covers it.
      </p>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void download();
        }}
      >
        <label>
          From
          <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          Until
          <input type="date" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          Download CSV
        </button>
      </form>
      {outcome !== null && <p role="status">{outcome}</p>}
    </section>
  );
}
