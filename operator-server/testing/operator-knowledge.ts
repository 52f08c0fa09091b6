// Everything an operator holds on disk, as an attacker inside the operator would read it: every
// row of every table of its SQLite files (tabs, transactions, both records, message receipts,
// outbox, ledger…) and every other file of its directory (billing records, configuration, keys).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface OperatorKnowledge {
  /** Every stored value as text: rows (one line each) and the other files' contents. */
  readonly text: string;
  /** The raw bytes of every file, SQLite files and their write-ahead logs included. */
  readonly files: readonly Buffer[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function cellText(value: unknown): string {
  if (Buffer.isBuffer(value)) return `${value.toString('base64url')} ${value.toString('hex')}`;
  return String(value);
}

function tableRows(path: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables.flatMap(({ name }) =>
      (db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]).map(
        (row) => `${name}: ${Object.values(row).map(cellText).join(' | ')}`,
      ),
    );
  } finally {
    db.close();
  }
}

/** Reads the directories of running operators (SQLite opened read-only beside them). */
export function readOperatorKnowledge(operatorDirs: readonly string[]): OperatorKnowledge {
  const paths = operatorDirs.flatMap(filesUnder);
  const lines = paths.flatMap((path) => {
    if (path.endsWith('.sqlite')) return tableRows(path);
    if (path.endsWith('.sqlite-wal') || path.endsWith('.sqlite-shm')) return [];
    return [readFileSync(path, 'utf8')];
  });
  return { text: lines.join('\n'), files: paths.map((path) => readFileSync(path)) };
}
