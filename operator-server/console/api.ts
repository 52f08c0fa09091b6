// The console's only way to the operator: its admin API, with the admin token as bearer. Every
// refusal comes back as an ApiError with the API's stable code and sentence, shown as they are.

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
    private readonly token: string,
    private readonly fetchImpl: typeof fetch,
  ) {}

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
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    if (!response.ok)
      throw new ApiError(
        response.status,
        json?.error?.code ?? 'unknown',
        json?.error?.message ?? `The operator answered ${response.status}.`,
      );
    return json as T;
  }
}

/** Path segments are ids the operator made; they may hold ':' and must stay one segment. */
export const segment = (id: string): string => encodeURIComponent(id);
