/** A raw HTTP exchange for tests that must send what no typed client would. */
export async function send(
  url: string,
  options: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const rawBody = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(url, {
    method: options.method ?? (rawBody === undefined ? 'GET' : 'POST'),
    headers: { ...(rawBody !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: rawBody,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}
