// PostgreSQL URLs of a server on which tools make databases of their own (the demo world, the
// crash suite, tests): the server URL names a database whose name the made ones extend, and a
// URL shown in a report or a log never carries its password.

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Why `url` cannot name a server and a database whose name others can extend; null when it can. */
export function serverUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${url} is not a URL`;
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    return `a postgres://user@host:port/database URL is needed (got ${parsed.protocol})`;
  const base = databaseNameOf(url);
  if (!IDENTIFIER.test(base))
    return `the URL names the database ${JSON.stringify(base)}: use lower-case letters, digits and _`;
  return null;
}

/** Whether `name` can name a database without quoting rules getting in the way. */
export function isPlainDatabaseName(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** The database a URL names. */
export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** The URL of the database `name` on the server of `serverUrl`, with the same user and options. */
export function databaseUrlOn(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `url` with its password, if it has one, replaced by `***`. */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
