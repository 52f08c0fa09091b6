// The dashboard's frame: the login with one of the merchant's tokens, then one page per part of
// the shop's business, chosen by the address's hash so a page can be linked and reloaded.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, type DashboardApi } from './api';
import { errorText } from '@opentab/console-ui';
import { Catalogue } from './pages/Catalogue';
import { Clearings } from './pages/Clearings';
import { Disputes } from './pages/Disputes';
import { Export } from './pages/Export';
import { Overview } from './pages/Overview';
import { Purchases } from './pages/Purchases';
import { Receipts } from './pages/Receipts';
import { Refunds } from './pages/Refunds';
import { Tabs } from './pages/Tabs';
import type { WhoAmI } from './types';

export interface PageProps {
  readonly api: DashboardApi;
  readonly me: WhoAmI;
  /** What follows the page's name in the hash (`#/receipts/<tabId>`), or ''. */
  readonly argument: string;
}

const PAGES = {
  overview: { title: 'Sales', Page: Overview },
  tabs: { title: 'Tabs', Page: Tabs },
  purchases: { title: 'Purchases', Page: Purchases },
  receipts: { title: 'Receipts', Page: Receipts },
  clearings: { title: 'Clearings', Page: Clearings },
  disputes: { title: 'Disputes', Page: Disputes },
  refunds: { title: 'Refunds', Page: Refunds },
  catalogue: { title: 'Catalogue', Page: Catalogue },
  export: { title: 'Export', Page: Export },
} as const;
type PageName = keyof typeof PAGES;

function routeOfHash(): { page: PageName; argument: string } {
  const [name = '', ...rest] = window.location.hash.replace(/^#\/?/, '').split('/');
  return name in PAGES ? { page: name as PageName, argument: rest.join('/') } : { page: 'overview', argument: '' };
}

interface Session {
  readonly api: DashboardApi;
  readonly me: WhoAmI;
}

export function App({ base, connect }: { base: string; connect: (token: string) => DashboardApi }) {
  // A token kept for this browser tab only: a reload keeps the person logged in, closing the tab does not.
  const tokenKey = `opentab-dashboard-token:${base}`;
  const [session, setSession] = useState<Session | null>(null);
  const [route, setRoute] = useState(routeOfHash());
  useEffect(() => {
    const follow = () => setRoute(routeOfHash());
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const logIn = async (token: string): Promise<void> => {
    const api = connect(token);
    const me = await api.get<WhoAmI>('/admin/me');
    sessionStorage.setItem(tokenKey, token);
    setSession({ api, me });
  };
  useEffect(() => {
    const kept = sessionStorage.getItem(tokenKey);
    if (kept !== null) logIn(kept).catch(() => sessionStorage.removeItem(tokenKey));
  }, [base]);

  if (session === null) return <Login logIn={logIn} />;
  const { Page } = PAGES[route.page];
  return (
    <div class="dashboard">
      <header>
        <strong>{session.me.displayName}</strong>
        <nav>
          {(Object.keys(PAGES) as PageName[]).map((name) => (
            <a key={name} href={`#/${name}`} aria-current={name === route.page ? 'page' : undefined}>
              {PAGES[name].title}
            </a>
          ))}
        </nav>
        <span class="muted">
          {session.me.name} ({session.me.role})
        </span>
        <button
          type="button"
          onClick={() => {
            sessionStorage.removeItem(tokenKey);
            setSession(null);
          }}
        >
          Log out
        </button>
      </header>
      <main>
        <Page api={session.api} me={session.me} argument={route.argument} />
      </main>
    </div>
  );
}

function Login({ logIn }: { logIn: (token: string) => Promise<void> }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <main class="login">
      <h1>Opentab merchant dashboard</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setError(null);
          logIn(token).catch((failure: unknown) =>
            setError(
              failure instanceof ApiError && failure.code === 'unauthorized'
                ? `Not a login of this shop: ${failure.message}`
                : errorText(failure),
            ),
          );
        }}
      >
        <label>
          Login token
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
