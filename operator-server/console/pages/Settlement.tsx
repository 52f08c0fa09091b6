// Settlement with one peer over a period: net positions per currency, exported as CSV or JSON.

import { useState } from 'preact/hooks';
import type { ConsoleApi } from '../api';
import { amount, errorText } from '@opentab/console-ui';
import type { SettlementStatement } from '../types';

/** One line per currency; amounts as the API states them (decimal strings, exact). */
export function statementCsv(statement: SettlementStatement): string {
  const header = 'operator,peer,from,until,currency,payable,receivable,net,entries';
  const lines = statement.lines.map((line) =>
    [
      statement.operatorId,
      statement.peerOperatorId,
      statement.from,
      statement.until,
      line.currency,
      line.payable.value,
      line.receivable.value,
      line.net.value,
      line.entries,
    ].join(','),
  );
  return `${[header, ...lines].join('\n')}\n`;
}

function download(name: string, type: string, text: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

export function Settlement({ api }: { api: ConsoleApi }) {
  const [peer, setPeer] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [statement, setStatement] = useState<SettlementStatement | null>(null);
  const [error, setError] = useState<string | null>(null);
  const iso = (local: string) => (local === '' ? undefined : new Date(local).toISOString());
  return (
    <section>
      <h1>Settlement</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setError(null);
          api
            .get<SettlementStatement>('/v1/admin/settlement', { peer, from: iso(from), until: iso(until) })
            .then(setStatement, (failure: unknown) => setError(errorText(failure)));
        }}
      >
        <label>
          Peer operator
          <input value={peer} onInput={(e) => setPeer(e.currentTarget.value)} />
        </label>
        <label>
          From
          <input type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          Until
          <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </label>
        <button type="submit">Statement</button>
      </form>
      {error !== null && <p class="error">{error}</p>}
      {statement !== null && (
        <article aria-label="Statement">
          <table>
            <thead>
              <tr>
                <th>Currency</th>
                <th class="amount">Payable</th>
                <th class="amount">Receivable</th>
                <th class="amount">Net</th>
                <th class="amount">Entries</th>
              </tr>
            </thead>
            <tbody>
              {statement.lines.map((line) => (
                <tr key={line.currency}>
                  <td>{line.currency}</td>
                  <td class="amount">{amount(line.payable)}</td>
                  <td class="amount">{amount(line.receivable)}</td>
                  <td class="amount">{amount(line.net)}</td>
                  <td class="amount">{line.entries}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="actions">
            <button
              type="button"
              onClick={() =>
                download(`settlement-${statement.peerOperatorId}.csv`, 'text/csv', statementCsv(statement))
              }
            >
              Export CSV
            </button>
            <button
              type="button"
              onClick={() =>
                download(
                  `settlement-${statement.peerOperatorId}.json`,
                  'application/json',
                  `${JSON.stringify(statement, null, 2)}\n`,
                )
              }
            >
              Export JSON
            </button>
          </div>
        </article>
      )}
    </section>
  );
}
