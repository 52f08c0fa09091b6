// One line per event, readable by people first: time, operator, event, key=value pairs.
// `tx=` and `tab=` appear on every line about a tab, so one grep follows a tab across operators.

import { AsyncLocalStorage } from 'node:async_hooks';

export type LogLevel = 'silent' | 'info' | 'debug';
export type LogFields = Readonly<Record<string, string | number | bigint | boolean | null | undefined>>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  debug(event: string, fields?: LogFields): void;
  /**
   * Runs `body`, holding the lines it logs (it and everything it awaits, not other requests
   * running meanwhile) until it resolves, and dropping them if it rejects. Wrapped around a
   * database transaction, a line then goes out only once the effects it describes are committed,
   * never for effects a rollback undid. Nested calls join the outer one.
   */
  heldUntilSettled<T>(body: () => Promise<T>): Promise<T>;
}

function formatValue(value: string | number | bigint | boolean | null): string {
  const text = String(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

export function formatLogLine(now_ms: number, source: string, event: string, fields: LogFields = {}): string {
  const pairs = Object.entries(fields)
    .filter((entry): entry is [string, string | number | bigint | boolean | null] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [new Date(now_ms).toISOString(), source.padEnd(8), event.padEnd(22), ...pairs].join(' ').trimEnd();
}

export function createLogger(
  source: string,
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const held = new AsyncLocalStorage<string[]>();
  const emit = (event: string, fields?: LogFields) => {
    const line = formatLogLine(Date.now(), source, event, fields);
    const lines = held.getStore();
    if (lines === undefined) write(line);
    else lines.push(line);
  };
  return {
    info: level === 'silent' ? () => {} : emit,
    warn: level === 'silent' ? () => {} : (event, fields) => emit(`WARN ${event}`, fields),
    debug: level === 'debug' ? emit : () => {},
    async heldUntilSettled(body) {
      if (held.getStore() !== undefined) return body();
      const lines: string[] = [];
      const result = await held.run(lines, body);
      for (const line of lines) write(line);
      return result;
    },
  };
}
