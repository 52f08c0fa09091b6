// Fills the merchant agent's PostgreSQL store with finished tabs, as a merchant's database holds
// them after months of sales: each tab cleared, with its purchase, its three stored answers and its
// acknowledged record. Written by set-based INSERT … SELECT over generate_series, so a million tabs
// take minutes rather than hours; the agent's own migrations make the tables first.

import pg from 'pg';
import { PostgresAgentStore } from '@opentab/merchant-agent/store';
import { ARTICLE_ID } from './catalogue';

/** The size of a typical stored answer (a receipt, an ack, a tab-closed summary). */
const ANSWER_JSON = JSON.stringify({ payload: { padding: 'x'.repeat(600) } });
/** Rows per INSERT statement: one statement per million rows would hold its whole WAL at once. */
const BATCH = 50_000;

export async function fillAgentPostgresStore(url: string, tabs: number, at_ms: number): Promise<void> {
  const store = await PostgresAgentStore.open({ url, poolSize: 1 }, (error) =>
    process.stderr.write(`bench: agent store filler: ${error.message}\n`),
  );
  await store.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let from = 1; from <= tabs; from += BATCH) {
      const to = Math.min(tabs, from + BATCH - 1);
      const values = [from, to, ANSWER_JSON, at_ms, ARTICLE_ID];
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO tabs (tab_id, information_id, information_json, pseudonym, tab_public_key, currency,
           deposit_minor, spent_minor, chain_unit_minor, chain_length, chain_root, last_chain_index, last_chain_link,
           purchase_count, list_key, opened_at_ms, expires_at_ms, status, stop_reason, stopped_at_ms, cleared_minor,
           clearing_outcome, cleared_at_ms, clearing_revision)
         SELECT 'tab-h' || g, 'inf-h' || g, $3, 'psn-h' || g, md5('key' || g), 'EUR',
           1000, 5, 5, 200, md5('root' || g), 1, md5('link' || g),
           1, md5('list' || g), $4::bigint, $4::bigint + 600000, 'cleared', 'customer-terminate', $4::bigint, 5,
           'agreed', $4::bigint, 0
         FROM generate_series($1::bigint, $2::bigint) AS g`,
        values.slice(0, 4),
      );
      await client.query(
        `INSERT INTO purchases (purchase_id, tab_id, seq, item_id, price_minor, chain_index, chain_link,
           request_digest, receipt_json, created_at_ms)
         SELECT 'pur-h' || g, 'tab-h' || g, 1, $5, 5, 1, md5('link' || g), md5('digest' || g), $3, $4::bigint
         FROM generate_series($1::bigint, $2::bigint) AS g`,
        values,
      );
      await client.query(
        `INSERT INTO replies (message_id, kind, request_digest, response_json, created_at_ms)
         SELECT 'rep-h' || g || '-' || k, (ARRAY['tab-information', 'terminate', 'tab-cleared'])[k],
           md5('reply' || g || k), $3, $4::bigint
         FROM generate_series($1::bigint, $2::bigint) AS g, generate_series(1, 3) AS k`,
        values.slice(0, 4),
      );
      await client.query(
        `INSERT INTO record_outbox (tab_id, record_id, envelope_json, attempts, next_attempt_at_ms,
           acknowledged_at_ms, ack_json)
         SELECT 'tab-h' || g, 'rec-h' || g, $3, 1, $4::bigint, $4::bigint, $3
         FROM generate_series($1::bigint, $2::bigint) AS g`,
        values.slice(0, 4),
      );
      await client.query('COMMIT');
    }
    // Fresh statistics, as autovacuum would have them on a database that grew over months.
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}
