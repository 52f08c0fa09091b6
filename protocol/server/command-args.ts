// Command-line options for the parties' CLIs: node:util parseArgs, except that a value may start
// with a dash. Keys and tokens are base64url, whose alphabet has '-': one key in 64 starts with
// it, and parseArgs takes `--public-key -Qx…` for a forgotten value and refuses the command.

import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Joins each string option to the argument after it (`--name value` → `--name=value`) when that
 * argument starts with a dash but names no option of the command, so parseArgs reads it as the
 * value it is. An argument that does name an option is left alone: `--out --config x` still says
 * `--out` lacks its value.
 */
export function joinDashedValues(args: readonly string[], options: Options): string[] {
  const optionNames = new Set(Object.keys(options).map((name) => `--${name}`));
  for (const option of Object.values(options)) if (option.short !== undefined) optionNames.add(`-${option.short}`);
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const option = arg.startsWith('--') ? options[arg.slice(2)] : undefined;
    if (option?.type === 'string' && next?.startsWith('-') === true && next !== '--' && !optionNames.has(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

/** parseArgs over `config.args`, with values that start with a dash read as values. */
export function parseCommandArgs<T extends ParseArgsConfig & { args: readonly string[]; options: Options }>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  // The same configuration but for the arguments, so the same result type.
  return parseArgs({ ...config, args: joinDashedValues(config.args, config.options) } as T);
}
