// One line per event, readable by people first: time, operator, event, key=value pairs.
// `tx=` and `tab=` appear on every line about a tab, so one grep follows a tab across operators.

export type LogLevel = 'silent' | 'info' | 'debug';
export type LogFields = Readonly<Record<string, string | number | bigint | boolean | null | undefined>>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  debug(event: string, fields?: LogFields): void;
  /**
   * Runs the synchronous `body`, holding the lines it logs until it returns and dropping them if
   * it throws. Wrapped around a database transaction, a line then goes out only once the effects
   * it describes are committed, never for effects a rollback undid. Nested calls join the outer one.
   */
  heldUntilReturn<T>(body: () => T): T;
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
  let held: string[] | null = null;
  const emit = (event: string, fields?: LogFields) => {
    const line = formatLogLine(Date.now(), source, event, fields);
    if (held === null) write(line);
    else held.push(line);
  };
  return {
    info: level === 'silent' ? () => {} : emit,
    warn: level === 'silent' ? () => {} : (event, fields) => emit(`WARN ${event}`, fields),
    debug: level === 'debug' ? emit : () => {},
    heldUntilReturn(body) {
      if (held !== null) return body();
      const lines: string[] = [];
      held = lines;
      try {
        const result = body();
        held = null;
        for (const line of lines) write(line);
        return result;
      } finally {
        held = null;
      }
    },
  };
}
