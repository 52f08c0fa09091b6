// The console's only way to the operator: its admin API, with the admin token as bearer or, for a
// staff member who logged in, the session cookie the browser sends by itself. Every refusal comes
// back as an ApiError with the API's stable code and sentence, shown as they are.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Readonly<Record<string, string | undefined>>;

export class ConsoleApi {
  constructor(
    private readonly origin: string,
    /** The admin token; null: the staff session cookie. */
    private readonly token: string | null,
    private readonly fetchImpl: typeof fetch,
    /** Told when the operator no longer takes these credentials (a session that ended). */
    private readonly onSignedOut: (error: ApiError) => void = () => undefined,
  ) {}

  /** The same credentials, telling `onSignedOut` when they stop working. */
  watching(onSignedOut: (error: ApiError) => void): ConsoleApi {
    return new ConsoleApi(this.origin, this.token, this.fetchImpl, onSignedOut);
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    const given = Object.entries(query).filter((entry): entry is [string, string] => (entry[1] ?? '') !== '');
    const search = new URLSearchParams(given).toString();
    return this.send<T>('GET', search === '' ? path : `${path}?${search}`);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  private async send<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await this.fetchImpl(`${this.origin}${path}`, {
      method,
      headers: {
        ...(this.token !== null ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    if (!response.ok) {
      const error = new ApiError(
        response.status,
        json?.error?.code ?? 'unknown',
        json?.error?.message ?? `The operator answered ${response.status}.`,
      );
      if (response.status === 401) this.onSignedOut(error);
      throw error;
    }
    return json as T;
  }
}

/** Path segments are ids the operator made; they may hold ':' and must stay one segment. */
export const segment = (id: string): string => encodeURIComponent(id);
