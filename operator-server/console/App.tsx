// The console's frame: the login with the admin token, then one page per part of the business,
// chosen by the address's hash so a page can be linked and reloaded.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, type ConsoleApi } from './api';
import { errorText } from './format';
import { Accounts } from './pages/Accounts';
import { Disputes } from './pages/Disputes';
import { Merchants } from './pages/Merchants';
import { Outbox } from './pages/Outbox';
import { Overview } from './pages/Overview';
import { Settlement } from './pages/Settlement';
import { Tabs } from './pages/Tabs';

const PAGES = {
  overview: { title: 'Overview', Page: Overview },
  accounts: { title: 'Accounts', Page: Accounts },
  merchants: { title: 'Merchants', Page: Merchants },
  tabs: { title: 'Tabs', Page: Tabs },
  disputes: { title: 'Disputes', Page: Disputes },
  settlement: { title: 'Settlement', Page: Settlement },
  outbox: { title: 'Outbox', Page: Outbox },
} as const;
type PageName = keyof typeof PAGES;

const TOKEN_KEY = 'opentab-console-token';

function pageOfHash(): PageName {
  const name = window.location.hash.replace(/^#\/?/, '');
  return name in PAGES ? (name as PageName) : 'overview';
}

export function App({ connect }: { connect: (token: string) => ConsoleApi }) {
  const [api, setApi] = useState<ConsoleApi | null>(null);
  const [page, setPage] = useState<PageName>(pageOfHash());
  useEffect(() => {
    const follow = () => setPage(pageOfHash());
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  // A token kept for this browser tab only: a reload keeps the person logged in, closing the tab does not.
  useEffect(() => {
    const kept = sessionStorage.getItem(TOKEN_KEY);
    if (kept !== null) void tryToken(connect(kept)).then((ok) => ok && setApi(connect(kept)));
  }, [connect]);

  if (api === null)
    return (
      <Login
        logIn={async (token) => {
          const candidate = connect(token);
          await candidate.get('/v1/admin/figures');
          sessionStorage.setItem(TOKEN_KEY, token);
          setApi(candidate);
        }}
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
        <button
          type="button"
          onClick={() => {
            sessionStorage.removeItem(TOKEN_KEY);
            setApi(null);
          }}
        >
          Log out
        </button>
      </header>
      <main>
        <Page api={api} />
      </main>
    </div>
  );
}

async function tryToken(api: ConsoleApi): Promise<boolean> {
  return api.get('/v1/admin/figures').then(
    () => true,
    () => false,
  );
}

function Login({ logIn }: { logIn: (token: string) => Promise<void> }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <main class="login">
      <h1>Opentab operator console</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setError(null);
          logIn(token).catch((failure: unknown) =>
            setError(
              failure instanceof ApiError && failure.code === 'unauthorized'
                ? 'That is not this operator’s admin token.'
                : errorText(failure),
            ),
          );
        }}
      >
        <label>
          Admin token
          <input type="password" value={token} onInput={(e) => setToken(e.currentTarget.value)} autoComplete="off" />
        </label>
        <button type="submit" class="primary">
          Log in
        </button>
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
