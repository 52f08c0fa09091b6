// The console's frame: the login (a staff member's name and password, or the admin token), then
// one page per part of the business, chosen by the address's hash so a page can be linked and
// reloaded. A session that ends brings the login back, saying why.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, type ConsoleApi } from './api';
import { errorText } from '@opentab/console-ui';
import { Accounts } from './pages/Accounts';
import { Disputes } from './pages/Disputes';
import { Merchants } from './pages/Merchants';
import { Outbox } from './pages/Outbox';
import { Overview } from './pages/Overview';
import { Settlement } from './pages/Settlement';
import { Staff } from './pages/Staff';
import { Tabs } from './pages/Tabs';
import { Trust } from './pages/Trust';

const PAGES = {
  overview: { title: 'Overview', Page: Overview },
  accounts: { title: 'Accounts', Page: Accounts },
  merchants: { title: 'Merchants', Page: Merchants },
  tabs: { title: 'Tabs', Page: Tabs },
  disputes: { title: 'Disputes', Page: Disputes },
  settlement: { title: 'Settlement', Page: Settlement },
  outbox: { title: 'Outbox', Page: Outbox },
  trust: { title: 'Trust and keys', Page: Trust },
  staff: { title: 'Staff', Page: Staff },
} as const;
type PageName = keyof typeof PAGES;

const TOKEN_KEY = 'opentab-console-token';

function pageOfHash(): PageName {
  const name = window.location.hash.replace(/^#\/?/, '');
  return name in PAGES ? (name as PageName) : 'overview';
}

type Connect = (token: string | null) => ConsoleApi;

interface Signed {
  readonly api: ConsoleApi;
  /** The staff member, or admin for the token. */
  readonly name: string;
}

export function App({ connect }: { connect: Connect }) {
  const [signed, setSigned] = useState<Signed | null>(null);
  const [ended, setEnded] = useState<string | null>(null);
  const [page, setPage] = useState<PageName>(pageOfHash());
  useEffect(() => {
    const follow = () => setPage(pageOfHash());
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const signIn = async (token: string | null): Promise<void> => {
    const api = connect(token).watching((error) => {
      sessionStorage.removeItem(TOKEN_KEY);
      setSigned(null);
      setEnded(error.code === 'staff_session_expired' ? 'Your session has ended; log in again.' : errorText(error));
    });
    const session = await connect(token).get<{ name: string }>('/v1/admin/session');
    if (token !== null) sessionStorage.setItem(TOKEN_KEY, token);
    setEnded(null);
    setSigned({ api, name: session.name });
  };
  // A token kept for this browser tab only, or the session cookie: a reload keeps the person logged in.
  useEffect(() => {
    const kept = sessionStorage.getItem(TOKEN_KEY);
    signIn(kept).catch(() => sessionStorage.removeItem(TOKEN_KEY));
  }, [connect]);

  if (signed === null)
    return (
      <Login
        ended={ended}
        logInAsStaff={async (name, password) => {
          await connect(null).post('/v1/staff/login', { name, password });
          await signIn(null);
        }}
        logInWithToken={(token) => signIn(token)}
      />
    );
  const { Page } = PAGES[page];
  return (
    <div class="console">
      <header>
        <strong>Opentab operator console</strong>
        <nav>
          {(Object.keys(PAGES) as PageName[]).map((name) => (
            <a key={name} href={`#/${name}`} aria-current={name === page ? 'page' : undefined}>
              {PAGES[name].title}
            </a>
          ))}
        </nav>
        <span class="who">Signed in as {signed.name}</span>
        <button
          type="button"
          onClick={() => {
            const wasToken = sessionStorage.getItem(TOKEN_KEY) !== null;
            sessionStorage.removeItem(TOKEN_KEY);
            setSigned(null);
            if (!wasToken)
              void connect(null)
                .post('/v1/staff/logout', {})
                .catch(() => undefined);
          }}
        >
          Log out
        </button>
      </header>
      <main>
        <Page api={signed.api} />
      </main>
    </div>
  );
}

function Login({
  ended,
  logInAsStaff,
  logInWithToken,
}: {
  ended: string | null;
  logInAsStaff: (name: string, password: string) => Promise<void>;
  logInWithToken: (token: string) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const refused = (wrong: string) => (failure: unknown) =>
    setError(
      failure instanceof ApiError && (failure.code === 'unauthorized' || failure.code === 'login_failed')
        ? wrong
        : errorText(failure),
    );
  return (
    <main class="login">
      <h1>Opentab operator console</h1>
      {ended !== null && <p role="status">{ended}</p>}
      <form
        aria-label="Staff sign-in"
        onSubmit={(event) => {
          event.preventDefault();
          setError(null);
          logInAsStaff(name.trim(), password).catch(refused('The name or the password is wrong.'));
        }}
      >
        <label>
          Name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} autoComplete="username" />
        </label>
        <label>
          Password
          <input
            type="password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            autoComplete="current-password"
          />
        </label>
        <button type="submit" class="primary">
          Log in
        </button>
      </form>
      <form
        aria-label="Token sign-in"
        onSubmit={(event) => {
          event.preventDefault();
          setError(null);
          logInWithToken(token).catch(refused('That is not this operator’s admin token.'));
        }}
      >
        <label>
          Admin token
          <input type="password" value={token} onInput={(e) => setToken(e.currentTarget.value)} autoComplete="off" />
        </label>
        <button type="submit">Log in with the token</button>
      </form>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}
