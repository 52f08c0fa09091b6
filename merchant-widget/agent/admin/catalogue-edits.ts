// The merchant's catalogue edits, kept in the agent's SQLite file so they outlive a restart: the
// latest edit of each item, applied over the configuration's catalogue at start (an edited item's
// entry here wins over its entry in the configuration).

import type { CatalogueEntry } from '../catalogue';
import type { AdminStore } from './admin-store';

const TABLE = `
CREATE TABLE IF NOT EXISTS catalogue_edits (
  item_id TEXT PRIMARY KEY,
  entry_json TEXT NOT NULL,
  edited_by TEXT NOT NULL,
  edited_at_ms INTEGER NOT NULL
) STRICT;
`;

export function createCatalogueEditsTable(admin: AdminStore): void {
  admin.exec(TABLE);
}

export function saveCatalogueEdit(admin: AdminStore, entry: CatalogueEntry, editedBy: string, now_ms: number): void {
  admin.run(
    `INSERT INTO catalogue_edits (item_id, entry_json, edited_by, edited_at_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT (item_id) DO UPDATE SET entry_json = excluded.entry_json, edited_by = excluded.edited_by,
       edited_at_ms = excluded.edited_at_ms`,
    entry.itemId,
    JSON.stringify(entry),
    editedBy,
    now_ms,
  );
}

export function catalogueEditsOf(admin: AdminStore): CatalogueEntry[] {
  return admin
    .all('SELECT entry_json FROM catalogue_edits ORDER BY edited_at_ms, item_id')
    .map((row) => JSON.parse(String(row.entry_json)) as CatalogueEntry);
}
