// Staff: the person's own login (change the password: the current one is asked for, and their
// other sessions end), and for an owner every login, to create, disable, enable and unlock; with
// the latest changes made through the admin API and who made them.

import { useState } from 'preact/hooks';
import { type ConsoleApi, segment } from '../api';
import { errorText, useLoad, when } from '@opentab/console-ui';
import type { SessionView, StaffAccount, StaffAction } from '../types';

const ACTIONS_SHOWN = 20;

function standing(account: StaffAccount): string {
  if (account.disabledAt !== null) return `disabled since ${when(account.disabledAt)}`;
  if (account.lockedUntil !== null) return `locked until ${when(account.lockedUntil)}`;
  return account.failedLogins > 0 ? `active (${account.failedLogins} failed log-in(s))` : 'active';
}

export function Staff({ api }: { api: ConsoleApi }) {
  const session = useLoad(() => api.get<SessionView>('/v1/admin/session'), [api]);
  const accounts = useLoad(() => api.get<StaffAccount[]>('/v1/admin/staff'), [api]);
  const actions = useLoad(() => api.get<StaffAction[]>('/v1/admin/staff/actions'), [api]);
  const [note, setNote] = useState<string | null>(null);
  const done = (text: string) => {
    setNote(text);
    accounts.reload();
    actions.reload();
  };
  const failed = (failure: unknown) => setNote(errorText(failure));
  const change = (name: string, what: 'disable' | 'enable' | 'unlock', said: string) =>
    api.post<StaffAccount>(`/v1/admin/staff/${segment(name)}/${what}`, {}).then(() => done(said), failed);
  const me = session.data;
  const isOwner = me?.role === 'owner';
  return (
    <section>
      <h1>Staff</h1>
      {note !== null && <p role="status">{note}</p>}
      {me !== null && me.expiresAt !== null && <PasswordForm api={api} onDone={done} onFailed={failed} />}

      <h2>Logins</h2>
      {accounts.error !== null && <p class="error">{accounts.error}</p>}
      {accounts.data !== null && (
        <table aria-label="Staff logins">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Standing</th>
              <th scope="col">Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {accounts.data.map((account) => (
              <tr key={account.name}>
                <td class="id">{account.name}</td>
                <td>{account.role}</td>
                <td>{standing(account)}</td>
                <td>{when(account.createdAt)}</td>
                <td>
                  {isOwner && account.name !== me?.name && account.disabledAt === null && (
                    <button
                      type="button"
                      onClick={() =>
                        change(account.name, 'disable', `${account.name} is disabled; its sessions ended.`)
                      }
                    >
                      Disable {account.name}
                    </button>
                  )}
                  {isOwner && account.disabledAt !== null && (
                    <button
                      type="button"
                      onClick={() => change(account.name, 'enable', `${account.name} may log in again.`)}
                    >
                      Enable {account.name}
                    </button>
                  )}
                  {isOwner && (account.lockedUntil !== null || account.failedLogins > 0) && (
                    <button
                      type="button"
                      onClick={() => change(account.name, 'unlock', `${account.name} is unlocked.`)}
                    >
                      Unlock {account.name}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {isOwner && <NewLoginForm api={api} onDone={done} onFailed={failed} />}

      <h2>Latest changes</h2>
      {actions.error !== null && <p class="error">{actions.error}</p>}
      <table aria-label="Latest changes">
        <tbody>
          {(actions.data ?? []).slice(0, ACTIONS_SHOWN).map((action, i) => (
            <tr key={`${i}-${action.at}`}>
              <td>{when(action.at)}</td>
              <td>{action.actor}</td>
              <td>{action.action}</td>
              <td class="id">{action.subject}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

interface FormProps {
  readonly api: ConsoleApi;
  readonly onDone: (text: string) => void;
  readonly onFailed: (failure: unknown) => void;
}

function PasswordForm({ api, onDone, onFailed }: FormProps) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  return (
    <form
      aria-label="Change your password"
      onSubmit={(event) => {
        event.preventDefault();
        api.post<{ sessionsEnded: number }>('/v1/admin/session/password', { current, password }).then((changed) => {
          setCurrent('');
          setPassword('');
          onDone(`Your password is changed; ${changed.sessionsEnded} other session(s) of yours ended.`);
        }, onFailed);
      }}
    >
      <h2>Your password</h2>
      <label>
        Current password
        <input
          type="password"
          value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)}
          autoComplete="current-password"
        />
      </label>
      <label>
        New password
        <input
          type="password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          autoComplete="new-password"
          minLength={12}
        />
      </label>
      <button type="submit">Change the password</button>
    </form>
  );
}

function NewLoginForm({ api, onDone, onFailed }: FormProps) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'staff' | 'owner'>('staff');
  return (
    <form
      aria-label="New login"
      onSubmit={(event) => {
        event.preventDefault();
        api.post<StaffAccount>('/v1/admin/staff', { name: name.trim(), password, role }).then((account) => {
          setName('');
          setPassword('');
          onDone(`${account.name} can log in now.`);
        }, onFailed);
      }}
    >
      <h2>New login</h2>
      <label>
        Name
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} autoComplete="off" />
      </label>
      <label>
        Password
        <input
          type="password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          autoComplete="new-password"
        />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.currentTarget.value === 'owner' ? 'owner' : 'staff')}>
          <option value="staff">staff</option>
          <option value="owner">owner</option>
        </select>
      </label>
      <button type="submit">Create the login</button>
    </form>
  );
}
