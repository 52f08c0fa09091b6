// The merchant's admin operations behind its admin API: reads of tabs, purchases, receipts,
// clearings, disputes and sales; refunds; catalogue edits; the purchases as CSV. Amounts leave as
// decimal strings of the merchant's currency, times as RFC 3339.

import { formatTimestamp, moneyFromWire, moneyToWire, OpentabError, parseTimestamp } from '@opentab/protocol';
import type { CatalogueEntry, LiveCatalogue } from '../catalogue';
import type { AdminLogin } from './admin-logins';
import type { AdminStore, RefundRow, Row } from './admin-store';
import type {
  CatalogueEdit,
  CatalogueView,
  ClearingRow,
  DisputeRow,
  PurchaseRow,
  ReceiptRow,
  RefundRequest,
  RefundView,
  SalesReport,
  Summary,
  TabRow,
} from './admin-api';
import type { RefundSender } from './refund-sender';
import { saveCatalogueEdit, type CatalogueFollower } from './catalogue-edits';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const DEFAULT_LIMIT = 100;

export interface AdminServiceDependencies {
  readonly admin: AdminStore;
  readonly catalogue: LiveCatalogue;
  readonly refunds: RefundSender;
  /** Brings the catalogue to the edits stored by every process. */
  readonly catalogueEdits: CatalogueFollower;
  readonly currency: string;
  readonly now_ms: () => number;
}

const limitOf = (text: string | undefined): number => (text === undefined ? DEFAULT_LIMIT : Number(text));
const n = (value: unknown): number => Number(value);
// PostgreSQL's sums arrive as decimal strings, its BIGINTs and SQLite's integers as bigint.
const big = (value: unknown): bigint => BigInt(value as bigint | number | string);

const TAB_COLUMNS = `t.*, (SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r
  WHERE r.tab_id = t.tab_id AND r.status != 'refused') AS refunded_minor`;

export class AdminService {
  constructor(private readonly deps: AdminServiceDependencies) {}

  private money(minor: bigint) {
    return moneyToWire({ currency: this.deps.currency, minor });
  }

  private title(itemId: string): string | null {
    return this.deps.catalogue.item(itemId)?.title ?? null;
  }

  private tabRow(row: Row): TabRow {
    const status = String(row.status) as TabRow['status'];
    return {
      tabId: String(row.tab_id),
      pseudonym: String(row.pseudonym),
      status,
      stopReason: row.stop_reason === null ? null : String(row.stop_reason),
      deposit: this.money(big(row.deposit_minor)),
      spent: this.money(big(row.spent_minor)),
      refunded: this.money(big(row.refunded_minor)),
      purchaseCount: n(row.purchase_count),
      openedAt: formatTimestamp(n(row.opened_at_ms)),
      expiresAt: formatTimestamp(n(row.expires_at_ms)),
      stoppedAt: row.stopped_at_ms === null ? null : formatTimestamp(n(row.stopped_at_ms)),
      cleared:
        status === 'cleared'
          ? {
              amount: this.money(big(row.cleared_minor)),
              outcome: String(row.clearing_outcome) as NonNullable<TabRow['cleared']>['outcome'],
              revision: n(row.clearing_revision),
              clearedAt: formatTimestamp(n(row.cleared_at_ms)),
            }
          : null,
    };
  }

  summary(): Promise<Summary> {
    const { admin } = this.deps;
    return admin.inTransaction(async (tx) => {
      const byStatus = { open: 0, stopped: 0, cleared: 0 };
      for (const row of await tx.all('SELECT status, COUNT(*) AS n FROM tabs GROUP BY status'))
        byStatus[String(row.status) as keyof typeof byStatus] = n(row.n);
      const sold = (await tx.one('SELECT COUNT(*) AS n, COALESCE(SUM(price_minor), 0) AS total FROM purchases'))!;
      const cleared = (await tx.one(
        `SELECT COALESCE(SUM(cleared_minor), 0) AS total,
           COALESCE(SUM(CASE WHEN clearing_outcome = 'disputed' THEN 1 ELSE 0 END), 0) AS disputed
         FROM tabs WHERE status = 'cleared'`,
      ))!;
      const refunds = (await tx.one(
        `SELECT COALESCE(SUM(CASE WHEN status != 'refused' THEN amount_minor END), 0) AS total,
           COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending FROM refunds`,
      ))!;
      const undelivered = (await tx.one('SELECT COUNT(*) AS n FROM record_outbox WHERE acknowledged_at_ms IS NULL'))!;
      return {
        tabs: byStatus,
        purchases: n(sold.n),
        sold: this.money(big(sold.total)),
        cleared: this.money(big(cleared.total)),
        refunded: this.money(big(refunds.total)),
        pendingRefunds: n(refunds.pending),
        disputed: n(cleared.disputed),
        undeliveredRecords: n(undelivered.n),
      };
    });
  }

  sales(query: { from?: string; until?: string; bucket?: 'hour' | 'day' }): Promise<SalesReport> {
    const { admin } = this.deps;
    const until_ms = query.until === undefined ? this.deps.now_ms() + 1 : parseTimestamp(query.until)!;
    const from_ms = query.from === undefined ? until_ms - 30 * DAY_MS : parseTimestamp(query.from)!;
    if (from_ms > until_ms)
      throw new OpentabError('invalid_message', 'The period ends before it starts: from must not be after until.', [
        'from: after until',
      ]);
    const bucket = query.bucket ?? 'day';
    const bucket_ms = bucket === 'day' ? DAY_MS : HOUR_MS;
    return admin.inTransaction(async (tx) => {
      const items = (
        await tx.all(
          `SELECT p.item_id, COUNT(*) AS n, SUM(p.price_minor) AS sold,
             COALESCE(SUM(CASE WHEN r.status IS NOT NULL AND r.status != 'refused' THEN p.price_minor END), 0) AS refunded
           FROM purchases p
           LEFT JOIN refunded_purchases rp ON rp.tab_id = p.tab_id AND rp.seq = p.seq
           LEFT JOIN refunds r ON r.refund_id = rp.refund_id
           WHERE p.created_at_ms >= ? AND p.created_at_ms < ?
           GROUP BY p.item_id ORDER BY sold DESC, p.item_id`,
          from_ms,
          until_ms,
        )
      ).map((row) => ({
        itemId: String(row.item_id),
        title: this.title(String(row.item_id)),
        count: n(row.n),
        sold: this.money(big(row.sold)),
        refunded: this.money(big(row.refunded)),
      }));
      const series = (
        await tx.all(
          `SELECT (created_at_ms / ?) * ? AS at_ms, COUNT(*) AS n, SUM(price_minor) AS sold FROM purchases
           WHERE created_at_ms >= ? AND created_at_ms < ? GROUP BY at_ms ORDER BY at_ms`,
          bucket_ms,
          bucket_ms,
          from_ms,
          until_ms,
        )
      ).map((row) => ({ at: formatTimestamp(n(row.at_ms)), count: n(row.n), sold: this.money(big(row.sold)) }));
      return { from: formatTimestamp(from_ms), until: formatTimestamp(until_ms), bucket, items, series };
    });
  }

  tabs(query: { status?: TabRow['status']; limit?: string }): Promise<TabRow[]> {
    const { admin } = this.deps;
    return admin.inTransaction(async (tx) =>
      (
        await tx.all(
          `SELECT ${TAB_COLUMNS} FROM tabs t ${query.status === undefined ? '' : 'WHERE t.status = ?'}
           ORDER BY t.opened_at_ms DESC, t.tab_id LIMIT ?`,
          ...(query.status === undefined ? [] : [query.status]),
          limitOf(query.limit),
        )
      ).map((row) => this.tabRow(row)),
    );
  }

  tab(tabId: string): Promise<TabRow> {
    const { admin } = this.deps;
    return admin.inTransaction(async (tx) => {
      const row = await tx.one(`SELECT ${TAB_COLUMNS} FROM tabs t WHERE t.tab_id = ?`, tabId);
      if (row === undefined) throw new OpentabError('unknown_tab', `This merchant has no tab ${tabId}.`);
      return this.tabRow(row);
    });
  }

  purchases(query: { tabId?: string; limit?: string }): Promise<PurchaseRow[]> {
    const { admin } = this.deps;
    return admin.inTransaction(async (tx) =>
      (
        await tx.all(
          `SELECT p.purchase_id, p.tab_id, p.seq, p.item_id, p.price_minor, p.created_at_ms, r.refund_id, r.status AS refund_status
           FROM purchases p
           LEFT JOIN refunded_purchases rp ON rp.tab_id = p.tab_id AND rp.seq = p.seq
           LEFT JOIN refunds r ON r.refund_id = rp.refund_id
           ${query.tabId === undefined ? '' : 'WHERE p.tab_id = ?'}
           ORDER BY p.created_at_ms DESC, p.tab_id, p.seq DESC LIMIT ?`,
          ...(query.tabId === undefined ? [] : [query.tabId]),
          limitOf(query.limit),
        )
      ).map((row) => ({
        purchaseId: String(row.purchase_id),
        tabId: String(row.tab_id),
        seq: n(row.seq),
        itemId: String(row.item_id),
        title: this.title(String(row.item_id)),
        price: this.money(big(row.price_minor)),
        at: formatTimestamp(n(row.created_at_ms)),
        refund: row.refund_id === null ? null : { refundId: String(row.refund_id), status: String(row.refund_status) },
      })),
    );
  }

  receipts(tabId: string): Promise<ReceiptRow[]> {
    const { admin } = this.deps;
    return admin.inTransaction(async (tx) => {
      if ((await tx.one('SELECT 1 AS found FROM tabs WHERE tab_id = ?', tabId)) === undefined)
        throw new OpentabError('unknown_tab', `This merchant has no tab ${tabId}.`);
      return (await tx.all('SELECT * FROM purchases WHERE tab_id = ? ORDER BY seq', tabId)).map((row) => ({
        tabId,
        seq: n(row.seq),
        itemId: String(row.item_id),
        price: this.money(big(row.price_minor)),
        at: formatTimestamp(n(row.created_at_ms)),
        receipt: JSON.parse(String(row.receipt_json)) as unknown,
      }));
    });
  }

  clearings(limit?: string): Promise<ClearingRow[]> {
    const { admin } = this.deps;
    return admin.inTransaction(async (tx) =>
      (
        await tx.all(
          `SELECT ${TAB_COLUMNS}, o.attempts AS record_attempts, o.acknowledged_at_ms, o.last_error, o.refused_code,
             o.tab_id AS outbox_tab
           FROM tabs t LEFT JOIN record_outbox o ON o.tab_id = t.tab_id
           WHERE t.status != 'open' ORDER BY COALESCE(t.cleared_at_ms, t.stopped_at_ms) DESC, t.tab_id LIMIT ?`,
          limitOf(limit),
        )
      ).map((row) => ({
        tab: this.tabRow(row),
        record:
          row.outbox_tab === null
            ? null
            : {
                attempts: n(row.record_attempts),
                acknowledged: row.acknowledged_at_ms !== null && row.refused_code === null,
                lastError: row.last_error === null ? null : String(row.last_error),
                refusedCode: row.refused_code === null ? null : String(row.refused_code),
              },
      })),
    );
  }

  disputes(): Promise<DisputeRow[]> {
    const { admin } = this.deps;
    return admin.inTransaction(async (tx) =>
      (
        await tx.all(
          `SELECT ${TAB_COLUMNS}, d.dispute_id, d.decision, d.cleared_before_minor, d.cleared_after_minor,
             d.reason AS decision_reason, d.decided_at_ms
           FROM tabs t LEFT JOIN dispute_decisions d ON d.tab_id = t.tab_id
           WHERE (t.status = 'cleared' AND t.clearing_outcome = 'disputed') OR d.tab_id IS NOT NULL
           ORDER BY t.cleared_at_ms DESC LIMIT 1000`,
        )
      ).map((row) => {
        const claimed = big(row.spent_minor);
        const paid = big(row.cleared_minor) + big(row.refunded_minor);
        return {
          tab: this.tabRow(row),
          claimed: this.money(claimed),
          shortfall: this.money(claimed > paid ? claimed - paid : 0n),
          revision: n(row.clearing_revision),
          decision:
            row.dispute_id === null
              ? null
              : {
                  disputeId: String(row.dispute_id),
                  decision: row.decision === 'adjust' ? ('adjust' as const) : ('uphold' as const),
                  clearedBefore: this.money(big(row.cleared_before_minor)),
                  clearedAfter: this.money(big(row.cleared_after_minor)),
                  reason: String(row.decision_reason),
                  decidedAt: formatTimestamp(n(row.decided_at_ms)),
                },
        };
      }),
    );
  }

  refunds(limit?: string): Promise<RefundView[]> {
    const { admin } = this.deps;
    return admin.inTransaction(async (tx) =>
      (await tx.refunds(limitOf(limit))).map((refund) => this.refundView(refund)),
    );
  }

  /**
   * Writes the refund (pending) in one transaction, then sends it once; a refund the MTA did not
   * answer stays pending and is sent again. The same refund id with the same tab and purchases
   * answers the refund as it stands; with others it is `refund_conflict`.
   */
  async refund(login: AdminLogin, request: RefundRequest): Promise<RefundView> {
    const { admin, refunds } = this.deps;
    const now_ms = this.deps.now_ms();
    const outcome = await admin.inTransaction(async (tx) => {
      const earlier = await tx.refund(request.refundId);
      if (earlier !== null) return { kind: 'earlier' as const, refund: this.sameRefund(earlier, request) };
      // The tab's row lock orders every refund of the tab, whichever process takes it: what the
      // refunds before this one cover is committed and read below, so the purchases chosen and the
      // total checked against what the tab paid cannot change before this one commits.
      const tab = await tx.agent.lockTab(request.tabId);
      if (tab === null) throw new OpentabError('unknown_tab', `This merchant has no tab ${request.tabId}.`);
      // The same refund may have been taken by another process while this one waited for the lock.
      const racing = await tx.refund(request.refundId);
      if (racing !== null) return { kind: 'earlier' as const, refund: this.sameRefund(racing, request) };
      const purchases = await tx.agent.purchasesOf(request.tabId);
      const refunded = await tx.refundedSeqs(request.tabId);
      const wanted = request.seqs === undefined ? null : new Set(request.seqs);
      if (wanted !== null) {
        const known = new Set(purchases.map((purchase) => purchase.seq));
        const unknown = [...wanted].filter((seq) => !known.has(seq));
        if (unknown.length > 0)
          throw new OpentabError('unknown_purchase', `Tab ${request.tabId} has no purchase ${unknown.join(', ')}.`);
        const again = [...wanted].filter((seq) => refunded.has(seq));
        if (again.length > 0)
          throw new OpentabError(
            'already_refunded',
            `Purchase ${again.join(', ')} of tab ${request.tabId} is refunded already.`,
          );
      }
      const chosen = purchases.filter((purchase) =>
        wanted === null ? !refunded.has(purchase.seq) : wanted.has(purchase.seq),
      );
      if (chosen.length === 0)
        throw new OpentabError('already_refunded', `Every purchase of tab ${request.tabId} is refunded already.`);
      const amount_minor = chosen.reduce((sum, purchase) => sum + purchase.price_minor, 0n);
      // Refunds cover distinct purchases, so this holds by construction; checked all the same, as
      // a refund above what the tab paid is money the merchant never had.
      if ((await tx.refundedTotal(request.tabId)) + amount_minor > tab.spent_minor)
        throw new OpentabError(
          'refund_exceeds_paid',
          `Tab ${request.tabId} paid less than its refunds would give back.`,
        );
      const inserted = await tx.insertRefund({
        refundId: request.refundId,
        tabId: request.tabId,
        amount_minor,
        reason: request.reason,
        requestedBy: login.name,
        requestedAt_ms: now_ms,
        nextAttemptAt_ms: now_ms,
        seqs: chosen.map((purchase) => purchase.seq),
      });
      // Taken at once by another process for another tab (whose lock this one does not wait for).
      if (!inserted)
        return { kind: 'earlier' as const, refund: this.sameRefund((await tx.refund(request.refundId))!, request) };
      return { kind: 'new' as const, refund: (await tx.refund(request.refundId))! };
    });
    if (outcome.refund.status === 'pending') await refunds.send(outcome.refund);
    return admin.inTransaction(async (tx) => this.refundView((await tx.refund(request.refundId))!));
  }

  private sameRefund(earlier: RefundRow, request: RefundRequest): RefundRow {
    const sameSeqs =
      request.seqs === undefined ||
      (request.seqs.length === earlier.seqs.length &&
        [...request.seqs].sort((a, b) => a - b).every((seq, i) => seq === earlier.seqs[i]));
    if (earlier.tabId !== request.tabId || !sameSeqs)
      throw new OpentabError(
        'refund_conflict',
        `Refund ${earlier.refundId} refunds purchase ${earlier.seqs.join(', ')} of tab ${earlier.tabId}.`,
      );
    return earlier;
  }

  private refundView(refund: RefundRow): RefundView {
    return {
      refundId: refund.refundId,
      tabId: refund.tabId,
      seqs: [...refund.seqs],
      amount: this.money(refund.amount_minor),
      reason: refund.reason,
      requestedBy: refund.requestedBy,
      requestedAt: formatTimestamp(refund.requestedAt_ms),
      status: refund.status,
      timing: refund.timing,
      revision: refund.revision,
      attempts: refund.attempts,
      lastError: refund.lastError,
    };
  }

  async catalogueView(): Promise<CatalogueView> {
    const { catalogue } = this.deps;
    await this.deps.catalogueEdits.catchUp();
    return {
      chainUnit: moneyToWire(catalogue.chainUnit),
      items: catalogue.list().map((item) => ({
        itemId: item.itemId,
        title: item.title,
        price: item.wirePrice,
        kind: item.access.kind,
        access_s: item.access.kind === 'entitlement' ? item.access.access_s : null,
      })),
    };
  }

  /** Checks the edited catalogue whole, keeps the edit, and sells from it at once (in every process sharing the store). */
  async editCatalogue(login: AdminLogin, edit: CatalogueEdit): Promise<CatalogueView> {
    const { admin, catalogue, catalogueEdits } = this.deps;
    if (edit.price.currency !== catalogue.currency)
      throw new OpentabError('currency_mismatch', `Prices are in ${catalogue.currency}.`);
    const entry: CatalogueEntry = {
      itemId: edit.itemId,
      title: edit.title,
      price: moneyToWire(moneyFromWire(edit.price)).value,
      kind: edit.kind,
      ...(edit.access_s !== undefined ? { access_s: edit.access_s } : {}),
    };
    // Checked against the edits of every process, not only this one's.
    await catalogueEdits.catchUp();
    const next = catalogue.withEdits([entry]);
    if (!next.ok)
      throw new OpentabError('invalid_message', 'The catalogue would not be valid with this edit.', next.problems);
    await admin.inTransaction((tx) => saveCatalogueEdit(tx, entry, login.name, this.deps.now_ms()));
    await catalogueEdits.catchUp();
    return this.catalogueView();
  }

  /** Every purchase in the period, oldest first, as CSV with a header line. */
  purchasesCsv(from?: string, until?: string): Promise<string> {
    const { admin } = this.deps;
    const from_ms = from === undefined ? 0 : parseTimestamp(from);
    const until_ms = until === undefined ? Number.MAX_SAFE_INTEGER : parseTimestamp(until);
    if (from_ms === null || until_ms === null)
      throw new OpentabError('invalid_message', 'from and until must be RFC 3339 timestamps.');
    return admin.inTransaction(async (tx) => {
      const header = [
        'purchase_id',
        'tab_id',
        'seq',
        'item_id',
        'title',
        'price',
        'currency',
        'bought_at',
        'tab_status',
        'refund_id',
        'refund_status',
      ];
      const lines = (
        await tx.all(
          `SELECT p.*, t.status AS tab_status, r.refund_id, r.status AS refund_status FROM purchases p
           JOIN tabs t ON t.tab_id = p.tab_id
           LEFT JOIN refunded_purchases rp ON rp.tab_id = p.tab_id AND rp.seq = p.seq
           LEFT JOIN refunds r ON r.refund_id = rp.refund_id
           WHERE p.created_at_ms >= ? AND p.created_at_ms < ? ORDER BY p.created_at_ms, p.tab_id, p.seq`,
          from_ms,
          until_ms,
        )
      ).map((row) =>
        [
          row.purchase_id,
          row.tab_id,
          n(row.seq),
          row.item_id,
          this.title(String(row.item_id)) ?? '',
          this.money(big(row.price_minor)).value,
          this.deps.currency,
          formatTimestamp(n(row.created_at_ms)),
          row.tab_status,
          row.refund_id ?? '',
          row.refund_status ?? '',
        ]
          .map((cell) => csvCell(String(cell)))
          .join(','),
      );
      return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
    });
  }
}

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula is prefixed with an apostrophe. */
function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?[0-9.]+$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
