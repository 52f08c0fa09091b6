import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, type StoreMigrations } from './migrations';

const file = () => join(mkdtempSync(join(tmpdir(), 'opentab-migrations-')), 'store.sqlite');
const version = (db: Database.Database) => db.pragma('user_version', { simple: true });
const columns = (db: Database.Database, table: string) =>
  db
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
    .all()
    .map((row) => row.name);

const STEPS: StoreMigrations = {
  store: 'test.sqlite',
  steps: [
    'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT;',
    'ALTER TABLE notes ADD COLUMN author TEXT;',
    "UPDATE notes SET author = 'unknown';",
  ],
};

describe('migrate', () => {
  it('brings a new file to the latest version, step by step', () => {
    const db = new Database(file());
    expect(migrate(db, STEPS)).toEqual({ from: 0, to: 3 });
    expect(version(db)).toBe(3);
    expect(columns(db, 'notes')).toEqual(['id', 'text', 'author']);
    db.close();
  });

  it('applies to a file of an earlier version only the steps it lacks, keeping its rows', () => {
    const path = file();
    const before = new Database(path);
    migrate(before, { ...STEPS, steps: STEPS.steps.slice(0, 1) });
    before.prepare("INSERT INTO notes (text) VALUES ('kept')").run();
    before.close();

    const after = new Database(path);
    expect(migrate(after, STEPS)).toEqual({ from: 1, to: 3 });
    expect(after.prepare('SELECT text, author FROM notes').all()).toEqual([{ text: 'kept', author: 'unknown' }]);
    expect(migrate(after, STEPS)).toEqual({ from: 3, to: 3 });
    after.close();
  });

  it('runs the base at every open, before the steps', () => {
    const db = new Database(file());
    const withBase = {
      store: 'test.sqlite',
      base: 'CREATE TABLE IF NOT EXISTS things (id INTEGER PRIMARY KEY) STRICT;',
      steps: ['ALTER TABLE things ADD COLUMN name TEXT;'],
    };
    migrate(db, withBase);
    expect(columns(db, 'things')).toEqual(['id', 'name']);
    expect(migrate(db, withBase)).toEqual({ from: 1, to: 1 });
    db.close();
  });

  it('leaves a file at its last good version when a step fails, and refuses a file newer than the code', () => {
    const db = new Database(file());
    expect(() => migrate(db, { ...STEPS, steps: [...STEPS.steps, 'ALTER TABLE missing ADD COLUMN x TEXT;'] })).toThrow(
      /no such table/,
    );
    expect(version(db)).toBe(3);
    expect(() => migrate(db, { ...STEPS, steps: STEPS.steps.slice(0, 2) })).toThrow(
      /test\.sqlite is at schema version 3, newer than this software \(2\)/,
    );
    db.close();
  });
});
