// Trust and keys: the peer operators and their revocation, every revocation in force, and this
// operator's key rotation (prepare a successor, paste the CA's certificate for it, rotate with an
// overlap), with the keys peers have retired.

import { useState } from 'preact/hooks';
import { type ConsoleApi, segment } from '../api';
import { errorText, useLoad, when } from '@opentab/console-ui';
import type { KeysView, PeerView, PreparedKey, RevocationView } from '../types';

const DAY_S = 24 * 3600;
/** The CA certifies an operator for a year; a month left is the time to prepare the next key. */
const expiresWithin30Days = (validUntil: string) => Date.parse(validUntil) - Date.now() < 30 * DAY_S * 1000;

export function Trust({ api }: { api: ConsoleApi }) {
  const peers = useLoad(() => api.get<PeerView[]>('/v1/admin/peers'), [api]);
  const revocations = useLoad(() => api.get<RevocationView[]>('/v1/admin/revocations'), [api]);
  const keys = useLoad(() => api.get<KeysView>('/v1/admin/keys'), [api]);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const [prepared, setPrepared] = useState<PreparedKey | null>(null);
  const [certificate, setCertificate] = useState('');
  const [overlapDays, setOverlapDays] = useState('7');
  const done = (text: string) => {
    setNote(text);
    peers.reload();
    revocations.reload();
    keys.reload();
  };
  const failed = (failure: unknown) => setNote(errorText(failure));
  const revokePeer = (operatorId: string) =>
    api
      .post<RevocationView>(`/v1/admin/peers/${segment(operatorId)}/revocation`, { reason })
      .then(() => done(`${operatorId} is revoked.`), failed);
  const prepare = () =>
    api.post<PreparedKey>('/v1/admin/keys/prepared', {}).then((key) => {
      setPrepared(key);
      done(`Prepared key ${key.publicKey}: have the CA certify it.`);
    }, failed);
  const rotate = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(certificate);
    } catch {
      setNote('The certificate is not JSON: paste the file the CA signed, whole.');
      return;
    }
    api
      .post<{ retiresAt: string }>('/v1/admin/keys/rotation', {
        certificate: parsed,
        overlap_s: Math.round(Number(overlapDays) * DAY_S),
      })
      .then((rotation) => {
        setCertificate('');
        setPrepared(null);
        done(`Rotated: the old key is refused from ${when(rotation.retiresAt)}.`);
      }, failed);
  };
  return (
    <section>
      <h1>Trust and keys</h1>
      {note !== null && <p role="status">{note}</p>}

      <h2>Peer operators</h2>
      <label>
        Reason for a revocation
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      {peers.error !== null && <p class="error">{peers.error}</p>}
      {peers.data !== null && (
        <table aria-label="Peer operators">
          <thead>
            <tr>
              <th>Operator</th>
              <th>Address</th>
              <th>Standing</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {peers.data.map((peer) => (
              <tr key={peer.operatorId}>
                <td class="id">{peer.operatorId}</td>
                <td class="id">{peer.baseUrl}</td>
                <td>{peer.revocation === null ? 'trusted' : `revoked (${peer.revocation.reason})`}</td>
                <td>
                  {peer.revocation === null && (
                    <button type="button" onClick={() => revokePeer(peer.operatorId)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Revocations</h2>
      {revocations.data !== null && revocations.data.length === 0 && <p>None.</p>}
      {revocations.data !== null && revocations.data.length > 0 && (
        <table aria-label="Revocations">
          <thead>
            <tr>
              <th>What</th>
              <th>Who</th>
              <th>When</th>
              <th>Reason</th>
              <th>By</th>
            </tr>
          </thead>
          <tbody>
            {revocations.data.map((r) => (
              <tr key={`${r.kind}:${r.subjectId}`}>
                <td>{r.kind}</td>
                <td class="id">{r.subjectId}</td>
                <td>{when(r.revokedAt)}</td>
                <td>{r.reason}</td>
                <td>{r.revokedBy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>This operator's key</h2>
      {keys.error !== null && <p class="error">{keys.error}</p>}
      {keys.data !== null && (
        <article aria-label="Keys">
          <p>
            Current key <span class="id">{keys.data.current.publicKey}</span>, certified until{' '}
            <span class={expiresWithin30Days(keys.data.current.validUntil) ? 'warning' : undefined}>
              {when(keys.data.current.validUntil)}
              {expiresWithin30Days(keys.data.current.validUntil) ? ' (expires soon: rotate to a new key)' : ''}
            </span>
            .
          </p>
          <div class="actions">
            <button type="button" onClick={prepare}>
              Prepare a successor key
            </button>
          </div>
          {(prepared !== null || keys.data.prepared.length > 0) && (
            <>
              <p>
                Have the CA certify <span class="id">{prepared?.publicKey ?? keys.data.prepared.at(-1)}</span>
                {prepared !== null &&
                  ` for ${prepared.operatorId} at ${prepared.baseUrl} (${prepared.currencies.join(', ')})`}
                , then paste its certificate here.
              </p>
              <label>
                CA certificate of the successor
                <textarea rows={4} value={certificate} onInput={(e) => setCertificate(e.currentTarget.value)} />
              </label>
              <label>
                Overlap in days
                <input inputMode="decimal" value={overlapDays} onInput={(e) => setOverlapDays(e.currentTarget.value)} />
              </label>
              <button type="button" class="primary" onClick={rotate}>
                Rotate to the successor
              </button>
            </>
          )}
          {keys.data.rotations.length > 0 && (
            <table aria-label="Rotations">
              <thead>
                <tr>
                  <th>Retiring key</th>
                  <th>Successor</th>
                  <th>Rotated</th>
                  <th>Old key refused from</th>
                  <th>By</th>
                </tr>
              </thead>
              <tbody>
                {keys.data.rotations.map((r) => (
                  <tr key={r.retiringKey}>
                    <td class="id">{r.retiringKey}</td>
                    <td class="id">{r.successorKey}</td>
                    <td>{when(r.rotatedAt)}</td>
                    <td>
                      {when(r.retiresAt)} {r.retired ? '(retired)' : '(overlap)'}
                    </td>
                    <td>{r.rotatedBy}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Keys peers retired</h3>
          {keys.data.peerRetirements.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul>
              {keys.data.peerRetirements.map((r) => (
                <li key={`${r.operatorId}:${r.publicKey}`}>
                  {r.operatorId}: <span class="id">{r.publicKey}</span> refused from {when(r.retiresAt)}
                </li>
              ))}
            </ul>
          )}
        </article>
      )}
    </section>
  );
}
