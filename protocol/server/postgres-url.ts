// A PostgreSQL URL as reports and logs may show it: where the store is, never its password.

/** `url` with its password, if it has one, replaced by `***`. */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
