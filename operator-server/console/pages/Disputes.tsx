// Disputes: each with both records side by side and what each chain link proves; the operator
// upholds the proof or sets what the tab clears, with a reason, and sees the signed decision.

import { useState } from 'preact/hooks';
import { type ConsoleApi, segment } from '../api';
import { amount, errorText, useLoad, when } from '@opentab/console-ui';
import type { DisputeDetail, DisputeListEntry, ResolutionView } from '../types';

export function Disputes({ api }: { api: ConsoleApi }) {
  const list = useLoad(() => api.get<DisputeListEntry[]>('/v1/admin/disputes'), [api]);
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <section>
      <h1>Disputes</h1>
      {list.error !== null && <p class="error">{list.error}</p>}
      {list.data !== null && list.data.length === 0 && <p class="muted">No disputes.</p>}
      {list.data !== null && list.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Found</th>
              <th>Tab</th>
              <th>Why</th>
              <th class="amount">Cleared on proof</th>
              <th>Decision</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((dispute) => (
              <tr key={dispute.disputeId}>
                <td>{when(dispute.createdAt)}</td>
                <td class="id">{dispute.tabId}</td>
                <td>{dispute.reason}</td>
                <td class="amount">{amount(dispute.cleared)}</td>
                <td>
                  {dispute.resolved === null
                    ? 'open'
                    : `${dispute.resolved.decision}: ${amount(dispute.resolved.cleared)}`}
                </td>
                <td>
                  <button type="button" onClick={() => setSelected(dispute.disputeId)}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected !== null && <DisputeView api={api} disputeId={selected} onDecided={list.reload} />}
    </section>
  );
}

function RecordColumn({ title, record }: { title: string; record: DisputeDetail['customerRecord'] }) {
  return (
    <div class="record">
      <h3>{title}</h3>
      {record === null ? (
        <p class="muted">No record.</p>
      ) : (
        <dl>
          <dt>Purchases</dt>
          <dd>{record.count}</dd>
          <dt>Total claimed</dt>
          <dd class="amount">{amount(record.total)}</dd>
          <dt>Last chain position</dt>
          <dd>{record.lastChainIndex}</dd>
          <dt>Chain link</dt>
          <dd class={record.linkProvesPosition ? '' : 'error'}>
            {record.linkProvesPosition ? `proves ${amount(record.proven)}` : 'proves nothing'}
          </dd>
          <dt>Purchase list</dt>
          <dd class="id">{record.purchaseListHash.slice(0, 16)}…</dd>
        </dl>
      )}
    </div>
  );
}

function DisputeView({ api, disputeId, onDecided }: { api: ConsoleApi; disputeId: string; onDecided: () => void }) {
  const detail = useLoad(() => api.get<DisputeDetail>(`/v1/admin/disputes/${segment(disputeId)}`), [api, disputeId]);
  if (detail.error !== null) return <p class="error">{detail.error}</p>;
  if (detail.data === null) return <p class="muted">Loading…</p>;
  const d = detail.data;
  return (
    <article class="dispute" aria-label={`Dispute ${d.disputeId}`}>
      <h2>Tab {d.tabId}</h2>
      <p>
        {d.reason}. Deposit {amount(d.deposit)}; cleared on the chain proof {amount(d.clearedOnProof)}; clears now{' '}
        <strong>{amount(d.cleared)}</strong>.
      </p>
      <div class="side-by-side">
        <RecordColumn title="Customer's record" record={d.customerRecord} />
        <RecordColumn title="Merchant's record" record={d.merchantRecord} />
      </div>
      {d.resolution !== null ? (
        <Decision resolution={d.resolution} />
      ) : (
        <DecideForm
          api={api}
          detail={d}
          onDecided={() => {
            detail.reload();
            onDecided();
          }}
        />
      )}
    </article>
  );
}

function Decision({ resolution }: { resolution: ResolutionView }) {
  return (
    <section class="decision" aria-label="Decision">
      <h3>
        Decided {when(resolution.decidedAt)}
        {resolution.decidedBy !== null ? ` by ${resolution.decidedBy}` : ''}
      </h3>
      <p>
        {resolution.decision === 'uphold'
          ? `Upheld: the tab clears ${amount(resolution.clearedAfter)}, as the chain proves.`
          : `Adjusted: the tab clears ${amount(resolution.clearedAfter)} instead of ${amount(resolution.clearedBefore)} (${amount(resolution.adjustment)} to the merchant).`}
      </p>
      <p>Reason: {resolution.reason}</p>
      <p class="muted">
        Signed by {resolution.signed.payload.operatorId} with key <span class="id">{resolution.signed.kid}</span>,
        clearing revision {resolution.revision}.
      </p>
    </section>
  );
}

function DecideForm({ api, detail, onDecided }: { api: ConsoleApi; detail: DisputeDetail; onDecided: () => void }) {
  const [decision, setDecision] = useState<'uphold' | 'adjust'>('uphold');
  const [cleared, setCleared] = useState(detail.cleared.value);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="decide"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        api
          .post<ResolutionView>(`/v1/admin/disputes/${segment(detail.disputeId)}/resolution`, {
            decision,
            reason,
            ...(decision === 'adjust' ? { cleared: { currency: detail.deposit.currency, value: cleared } } : {}),
          })
          .then(onDecided, (failure: unknown) => setError(errorText(failure)))
          .finally(() => setBusy(false));
      }}
    >
      <h3>Decide</h3>
      <fieldset>
        <legend>Decision</legend>
        <label class="choice">
          <input type="radio" name="decision" checked={decision === 'uphold'} onChange={() => setDecision('uphold')} />
          Uphold what the chain proves ({amount(detail.clearedOnProof)})
        </label>
        <label class="choice">
          <input type="radio" name="decision" checked={decision === 'adjust'} onChange={() => setDecision('adjust')} />
          Adjust what the tab clears
        </label>
      </fieldset>
      {decision === 'adjust' && (
        <label>
          Tab clears ({detail.deposit.currency}, 0 to {detail.deposit.value})
          <input inputMode="decimal" value={cleared} onInput={(e) => setCleared(e.currentTarget.value)} />
        </label>
      )}
      <label>
        Reason
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} maxLength={500} />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        Sign and record the decision
      </button>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
