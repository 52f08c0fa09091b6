// The tabs group of the operator's store interface on PostgreSQL: the MTA's tabs, the records
// they wait for, late records, disputes and their resolutions. As on SQLite, every state change
// and every "first one only" write is one conditional UPDATE (tabAccepts names the states the
// transition table allows): of two processes racing for it, the second waits for the first's row
// lock, re-checks the WHERE on the committed row and changes nothing. SQLite's two-argument
// MIN/MAX are LEAST/GREATEST here.

import type { TabAccess } from './operator-storage';
import {
  FAIL_OPENING_TABS_SQL,
  insertTabValues,
  tabAccepts,
  toDispute,
  toFailedOpening,
  toLateRecord,
  toResolution,
  toTab,
} from './operator-store';
import type { StoreConnection } from './postgres-merchants';
import { searchSql } from './postgres-search';

export function postgresTabAccess(connection: StoreConnection): TabAccess {
  const rows = async (text: string, values: unknown[] = []) => (await connection.query(text, values)).rows;
  const oneTab = async (text: string, values: unknown[]) => {
    const [row] = await rows(text, values);
    return row === undefined ? null : toTab(row);
  };
  const changed = async (text: string, values: unknown[]) => (await connection.query(text, values)).rowCount === 1;
  /** The new clearing revision a RETURNING gave, or null when the UPDATE matched nothing. */
  const revision = async (text: string, values: unknown[]) => {
    const [row] = await rows(text, values);
    return row === undefined ? null : Number(row.clearing_revision);
  };
  const counts = (list: Record<string, unknown>[]) =>
    Object.fromEntries(list.map((row) => [row.state as string, Number(row.n)]));
  return {
    async insertTab(tab) {
      await connection.query(
        `INSERT INTO tabs (tab_id, merchant_id, customer_operator_id, transaction_id, state, pseudonym, tab_public_key,
           deposit_minor, currency, chain, opened_at, expires_at, conclude_after, chain_root)
         VALUES ($1, $2, $3, $4, 'opening', $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        insertTabValues(tab),
      );
    },
    tabByChainRoot: (chainRoot) => oneTab('SELECT * FROM tabs WHERE chain_root = $1', [chainRoot]),
    tab: (tabId) => oneTab('SELECT * FROM tabs WHERE tab_id = $1', [tabId]),
    // Locks the row until the transaction ends: two records of one tab arriving at once each see
    // the other's, instead of both reading the tab without it and neither clearing it.
    tabForUpdate: (tabId) => oneTab('SELECT * FROM tabs WHERE tab_id = $1 FOR UPDATE', [tabId]),
    tabByTransaction: (customerOperatorId, transactionId) =>
      oneTab('SELECT * FROM tabs WHERE customer_operator_id = $1 AND transaction_id = $2', [
        customerOperatorId,
        transactionId,
      ]),
    async tabsOfMerchant(merchantId, limit) {
      return (
        await rows('SELECT * FROM tabs WHERE merchant_id = $1 ORDER BY opened_at DESC LIMIT $2', [merchantId, limit])
      ).map(toTab);
    },
    markTabOpen: (tabId) =>
      changed(`UPDATE tabs SET state = 'open' WHERE tab_id = $1 AND ${tabAccepts('merchant-acknowledged')}`, [tabId]),
    markTabFailed: (tabId) =>
      changed(`UPDATE tabs SET state = 'failed' WHERE tab_id = $1 AND ${tabAccepts('registration-failed')}`, [tabId]),
    // The customer's record never moves the conclusion earlier: the merchant keeps all its time.
    setTabCustomerRecord: (tabId, record) =>
      changed('UPDATE tabs SET customer_record = $1 WHERE tab_id = $2 AND customer_record IS NULL', [
        JSON.stringify(record),
        tabId,
      ]),
    setTabMerchantRecord: (tabId, record, concludeBy_ms) =>
      changed(
        `UPDATE tabs SET merchant_record = $1, conclude_after = LEAST(conclude_after, $2::bigint)
         WHERE tab_id = $3 AND merchant_record IS NULL`,
        [JSON.stringify(record), concludeBy_ms, tabId],
      ),
    markMerchantAsked: (tabId, now_ms, waitUntil_ms) =>
      changed(
        `UPDATE tabs SET merchant_asked_at = $1, conclude_after = GREATEST(conclude_after, $2::bigint)
         WHERE tab_id = $3 AND state = 'open' AND merchant_asked_at IS NULL`,
        [now_ms, waitUntil_ms, tabId],
      ),
    markMerchantHasNoRecord: (tabId, concludeBy_ms) =>
      changed(
        `UPDATE tabs SET merchant_has_no_record = 1, conclude_after = LEAST(conclude_after, $1::bigint)
         WHERE tab_id = $2 AND state = 'open'`,
        [concludeBy_ms, tabId],
      ),
    markTabCleared: (tabId, cleared_minor, outcome, now_ms) =>
      changed(
        `UPDATE tabs SET state = 'cleared', cleared_minor = $1, outcome = $2, cleared_at = $3
         WHERE tab_id = $4 AND ${tabAccepts('cleared')}`,
        [cleared_minor, outcome, now_ms, tabId],
      ),
    correctTabClearing: (tabId, cleared_minor, outcome) =>
      revision(
        `UPDATE tabs SET cleared_minor = $1, outcome = $2, clearing_revision = clearing_revision + 1
         WHERE tab_id = $3 AND ${tabAccepts('clearing-corrected')} AND cleared_minor < $1
         RETURNING clearing_revision`,
        [cleared_minor, outcome, tabId],
      ),
    insertLateRecord: (late) =>
      changed(
        `INSERT INTO late_records (record_id, tab_id, party, record, received_at, effect) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (record_id) DO NOTHING`,
        [late.recordId, late.tabId, late.party, JSON.stringify(late.record), late.receivedAt, late.effect],
      ),
    async lateRecordsOfTab(tabId) {
      return (await rows('SELECT * FROM late_records WHERE tab_id = $1 ORDER BY received_at', [tabId])).map(
        toLateRecord,
      );
    },
    async failOpeningTabs(openedBefore_ms) {
      return (await rows(FAIL_OPENING_TABS_SQL.replace('?', '$1'), [openedBefore_ms])).map(toFailedOpening);
    },
    async postponeDueTabs(notBefore_ms) {
      const { rowCount } = await connection.query(
        "UPDATE tabs SET conclude_after = GREATEST(conclude_after, $1::bigint) WHERE state = 'open'",
        [notBefore_ms],
      );
      return rowCount ?? 0;
    },
    async dueTabs(now_ms, limit) {
      return (
        await rows(
          "SELECT * FROM tabs WHERE state = 'open' AND conclude_after <= $1 ORDER BY conclude_after LIMIT $2",
          [now_ms, limit],
        )
      ).map(toTab);
    },
    async searchTabs(filter) {
      const { text, values } = searchSql(
        'tabs',
        [
          ['merchant_id', '=', filter.merchantId],
          ['state', '=', filter.state],
          ['opened_at', '>=', filter.from_ms],
          ['opened_at', '<', filter.until_ms],
        ],
        filter.limit,
      );
      return (await rows(text, values)).map(toTab);
    },
    async insertDispute(dispute) {
      await connection.query(
        `INSERT INTO disputes (dispute_id, tab_id, created_at, cleared_minor, reason, customer_record, merchant_record)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          dispute.disputeId,
          dispute.tabId,
          dispute.createdAt,
          dispute.cleared_minor,
          dispute.reason,
          dispute.customerRecord === null ? null : JSON.stringify(dispute.customerRecord),
          dispute.merchantRecord === null ? null : JSON.stringify(dispute.merchantRecord),
        ],
      );
    },
    async disputes(limit) {
      return (await rows('SELECT * FROM disputes ORDER BY created_at DESC LIMIT $1', [limit])).map(toDispute);
    },
    async disputesOfTab(tabId) {
      return (await rows('SELECT * FROM disputes WHERE tab_id = $1', [tabId])).map(toDispute);
    },
    async dispute(disputeId) {
      const [row] = await rows('SELECT * FROM disputes WHERE dispute_id = $1', [disputeId]);
      return row === undefined ? null : toDispute(row);
    },
    async insertResolution(r) {
      await connection.query(
        `INSERT INTO dispute_resolutions (tab_id, dispute_id, decision, cleared_before_minor, cleared_after_minor, revision,
           reason, envelope, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          r.tabId,
          r.disputeId,
          r.decision,
          r.clearedBefore_minor,
          r.clearedAfter_minor,
          r.revision,
          r.reason,
          r.envelope,
          r.decidedAt,
        ],
      );
    },
    async resolutionOfTab(tabId) {
      const [row] = await rows('SELECT * FROM dispute_resolutions WHERE tab_id = $1', [tabId]);
      return row === undefined ? null : toResolution(row);
    },
    resolveTabClearing: (tabId, cleared_minor) =>
      revision(
        `UPDATE tabs SET cleared_minor = $1, clearing_revision = clearing_revision + 1
         WHERE tab_id = $2 AND ${tabAccepts('dispute-resolved')} RETURNING clearing_revision`,
        [cleared_minor, tabId],
      ),
    async figures() {
      const [disputes] = await rows(
        'SELECT (SELECT COUNT(*) FROM disputes) AS disputes, (SELECT COUNT(*) FROM dispute_resolutions) AS resolved',
      );
      const [outbox] = await rows(
        `SELECT COALESCE(SUM(CASE WHEN delivered_at IS NULL THEN 1 ELSE 0 END), 0) AS pending,
           COALESCE(SUM(CASE WHEN delivered_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0) AS failing,
           COALESCE(SUM(CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS delivered FROM outbox`,
      );
      return {
        tabsByState: counts(await rows('SELECT state, COUNT(*) AS n FROM tabs GROUP BY state')),
        transactionsByState: counts(await rows('SELECT state, COUNT(*) AS n FROM transactions GROUP BY state')),
        clearedByCurrency: (
          await rows(
            `SELECT currency, COUNT(*) AS n, COALESCE(SUM(cleared_minor), 0) AS total FROM tabs
             WHERE state = 'cleared' GROUP BY currency`,
          )
        ).map((row) => ({
          currency: row.currency as string,
          tabs: Number(row.n),
          total_minor: BigInt(String(row.total)),
        })),
        disputes: Number(disputes!.disputes),
        disputesResolved: Number(disputes!.resolved),
        outbox: {
          pending: Number(outbox!.pending),
          failing: Number(outbox!.failing),
          delivered: Number(outbox!.delivered),
        },
        customersByStatus: counts(await rows('SELECT status AS state, COUNT(*) AS n FROM customers GROUP BY status')),
        merchantsByStatus: counts(await rows('SELECT status AS state, COUNT(*) AS n FROM merchants GROUP BY status')),
      };
    },
    async outboxRowsMentioning(id) {
      return (
        await rows(
          `SELECT record_id, destination, created_at, attempts, delivered_at, last_error FROM outbox
           WHERE strpos(record_id, $1) > 0 ORDER BY seq LIMIT 200`,
          [id],
        )
      ).map((row) => ({
        recordId: row.record_id as string,
        destination: row.destination as string,
        createdAt: Number(row.created_at),
        attempts: Number(row.attempts),
        deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
        lastError: (row.last_error as string | null) ?? null,
      }));
    },
  };
}
