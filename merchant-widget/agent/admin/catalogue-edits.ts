// The merchant's catalogue edits, kept in the agent's store so they outlive a restart and reach
// every process sharing the store: the latest edit of each item, applied over the configuration's
// catalogue (an edited item's entry here wins over its entry in the configuration). Every edit
// also moves the catalogue's revision on, in the same transaction; a process compares the stored
// revision with the one it has applied before it prices a purchase (CatalogueFollower).

import { LiveCatalogue, type Catalogue, type CatalogueEntry } from '../catalogue';
import type { AgentStore, SqlSession } from '../store';
import type { AdminTransaction } from './admin-store';

/** On SQLite, made at start if missing; on PostgreSQL, by the agent's second migration step. */
export const SQLITE_CATALOGUE_TABLES = `
CREATE TABLE IF NOT EXISTS catalogue_edits (
  item_id TEXT PRIMARY KEY,
  entry_json TEXT NOT NULL,
  edited_by TEXT NOT NULL,
  edited_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS catalogue_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL
) STRICT;
INSERT INTO catalogue_revision (id, revision) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
`;

export async function createCatalogueEditsTables(store: AgentStore): Promise<void> {
  if (store.kind === 'sqlite') await store.ensureTables(SQLITE_CATALOGUE_TABLES);
}

export async function saveCatalogueEdit(
  tx: AdminTransaction,
  entry: CatalogueEntry,
  editedBy: string,
  now_ms: number,
): Promise<void> {
  await tx.run(
    `INSERT INTO catalogue_edits (item_id, entry_json, edited_by, edited_at_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT (item_id) DO UPDATE SET entry_json = excluded.entry_json, edited_by = excluded.edited_by,
       edited_at_ms = excluded.edited_at_ms`,
    entry.itemId,
    JSON.stringify(entry),
    editedBy,
    now_ms,
  );
  // The row lock this takes orders concurrent edits: revisions count commits.
  await tx.run('UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1');
}

async function storedRevision(sql: SqlSession): Promise<bigint> {
  const rows = await sql.all('SELECT revision FROM catalogue_revision WHERE id = 1');
  return BigInt(rows[0]!.revision as bigint);
}

async function storedEdits(sql: SqlSession): Promise<CatalogueEntry[]> {
  return (await sql.all('SELECT entry_json FROM catalogue_edits ORDER BY edited_at_ms, item_id')).map(
    (row) => JSON.parse(String(row.entry_json)) as CatalogueEntry,
  );
}

/**
 * Keeps one process's live catalogue at the stored edits over the configured catalogue. `catchUp`
 * reads the stored revision (one single-row read) and, when another process has edited since,
 * the edits: called before every purchase is priced, so a purchase never goes by a catalogue
 * older than the last edit committed before it arrived. Staleness is zero for prices; what the
 * agent's merchant information shows catches up at the next purchase, or at the agent's next
 * sweep (expiryCheckInterval_ms) at the latest.
 */
export class CatalogueFollower {
  private applied: bigint | null = null;
  private readonly configured: LiveCatalogue;

  constructor(
    private readonly sql: SqlSession,
    private readonly live: LiveCatalogue,
    configured: Catalogue,
  ) {
    this.configured = new LiveCatalogue(configured);
  }

  async catchUp(): Promise<void> {
    const revision = await storedRevision(this.sql);
    if (revision === this.applied) return;
    const edits = await storedEdits(this.sql);
    // Edits read after the revision include every one up to it (and maybe later ones, read again next time).
    const next = this.configured.withEdits(edits);
    if (!next.ok)
      throw new Error(`the catalogue edits kept in the database no longer fit: ${next.problems.join('; ')}`);
    this.live.replace(next.catalogue);
    this.applied = revision;
  }
}
