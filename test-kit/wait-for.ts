/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeout_ms`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeout_ms = 10_000,
  interval_ms = 20,
): Promise<T> {
  const deadline = Date.now() + timeout_ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout_ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval_ms));
  }
}
