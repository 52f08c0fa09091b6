// The dashboard's only way to the agent: the merchant's admin API under the agent's mount, with a
// login's token as bearer. Every refusal comes back as an ApiError with the API's stable code and
// sentence, shown as they are.

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

/** The agent's mount, from the dashboard's own address: `<mount>/dashboard/`. */
export function mountOf(pathname: string): string {
  const at = pathname.lastIndexOf('/dashboard/');
  return at < 0 ? '' : pathname.slice(0, at);
}

export class DashboardApi {
  constructor(
    /** The agent's mount as an absolute URL, e.g. https://shop.example/opentab. */
    readonly base: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch,
  ) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.send<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  /** A file of the API (the CSV export), fetched with the token, as a Blob. */
  async file(path: string, query: Query = {}): Promise<Blob> {
    const response = await this.fetchImpl(`${this.base}${withQuery(path, query)}`, { headers: this.headers() });
    if (!response.ok) throw await errorOf(response);
    return response.blob();
  }

  private headers(json = false): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...(json ? { 'content-type': 'application/json' } : {}) };
  }

  private async send<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await this.fetchImpl(`${this.base}${path}`, {
      method,
      headers: this.headers(body !== undefined),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }
}

function withQuery(path: string, query: Query): string {
  const given = Object.entries(query).filter((entry): entry is [string, string] => (entry[1] ?? '') !== '');
  const search = new URLSearchParams(given).toString();
  return search === '' ? path : `${path}?${search}`;
}

async function errorOf(response: Response): Promise<ApiError> {
  const json = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  return new ApiError(
    response.status,
    json?.error?.code ?? 'unknown',
    json?.error?.message ?? `The agent answered ${response.status}.`,
  );
}

/** Path segments are ids; they must stay one segment. */
export const segment = (id: string): string => encodeURIComponent(id);

/** A fresh refund id: 128 random bits as 32 hex digits, made once per refund the person asks for. */
export function newRefundId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
