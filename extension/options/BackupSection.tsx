import { useState } from 'preact/hooks';
import type { CallError } from '../messaging/result';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';
import { downloadText } from '../ui/format';

/** Before a wallet exists there is nothing to export: the section then only restores. */
export function BackupSection({
  client,
  canExport,
  onRestored,
  onExported,
  canRestore = true,
}: {
  client: AgentClient;
  canExport: boolean;
  onRestored: () => void;
  /** Called once a backup was saved. */
  onExported?: () => void;
  /** false: export only (the first-run guide's backup step). */
  canRestore?: boolean;
}) {
  const [passphrase, setPassphrase] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<CallError | null>(null);
  const [note, setNote] = useState<string | null>(null);

  async function exportBackup() {
    const answer = await client.call('exportBackup', { passphrase });
    if (answer.ok) {
      downloadText(answer.value.filename, answer.value.json, 'application/json');
      setError(null);
      setNote('Backup saved. Keep it and your passphrase apart.');
      onExported?.();
    } else setError(answer.error);
  }

  async function restore() {
    if (!file) {
      setError({ code: 'invalid_request', message: 'Choose a backup file first.' });
      return;
    }
    const answer = await client.call('restoreBackup', { json: await file.text(), passphrase });
    if (answer.ok) {
      setError(null);
      setNote('Wallet restored from the backup.');
      onRestored();
    } else setError(answer.error);
  }

  return (
    <section aria-label="Backup">
      <h2>Backup and restore</h2>
      <p class="muted">The backup holds your key, enrolment and settings, encrypted under your passphrase.</p>
      <label>
        Passphrase <input type="password" value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} />
      </label>
      {canExport && (
        <button type="button" onClick={() => void exportBackup()}>
          Export backup
        </button>
      )}
      {canRestore && (
        <>
          <label>
            Backup file{' '}
            <input
              type="file"
              accept="application/json,.json"
              onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
            />
          </label>
          <button type="button" onClick={() => void restore()}>
            Restore
          </button>
        </>
      )}
      {note && <p>{note}</p>}
      <ErrorNote error={error} />
    </section>
  );
}
