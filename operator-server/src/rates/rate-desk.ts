// Issues this operator's signed rate tables and records every one it issued in the store, because
// an initiation names the table the customer saw and must be converted with exactly that table,
// whichever process of the operator issued it. Issues none from quotes too old to publish, and no
// table outlives the age its quotes may reach. A signed table never changes, so each process keeps
// the ones it met in memory; a table it does not know is read by id from the store.

import { seal, type PayloadBody, type Signer } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { RateTable, RateTablePayload } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import type { RateTableAccess } from '../store/operator-records-storage';
import type { Logger } from '../support/logger';
import type { StoredRateTable } from './rate-table-store';
import { sameQuotes, type RateQuotes } from './rate-quotes';
import { assessRates, describeSource, refusalOf, type RateAvailability } from './rate-freshness';

export interface IssuedTable {
  readonly envelope: RateTable;
  readonly validUntil_ms: number;
}

export interface RateDeskOptions {
  /** The store's rate tables, each call a transaction of its own (never inside a step's transaction). */
  readonly tables: RateTableAccess;
  readonly crypto: CryptoProvider;
  /** Read at every table: a key rotation hands the operator a new one. */
  readonly signer: () => Signer;
  readonly operatorId: string;
  /** The quotes to issue tables from now; null while none could be read. */
  readonly quotes: () => RateQuotes | null;
  readonly lifespan_ms: number;
  /** Quotes older than this (from the start of their day) are not published; sample quotes aside. */
  readonly maxSourceAge_s: number;
  readonly log: Logger;
}

/** A new table is issued once the current one has less than this share of its life left. */
const REISSUE_WHEN_REMAINING = 0.5;

export class RateDesk {
  private current: IssuedTable | null = null;
  private readonly byId = new Map<string, IssuedTable>();
  /** Settles when the hand-out in progress has; one at a time, so that requests arriving together share one new table. */
  private handingOut: Promise<unknown> = Promise.resolve();
  /** What the log last said about the rates, so that it speaks again only when that changes. */
  private reported = '';

  constructor(private readonly options: RateDeskOptions) {}

  /**
   * The table to hand out now: the latest one while it states the current quotes and has enough
   * life left, else a fresh one, recorded before it is handed out (a table from before tables
   * stated their source never qualifies). Refuses (rates_stale, rates_unavailable) when there are
   * no quotes fit to publish.
   */
  currentTable(now_ms: number): Promise<IssuedTable> {
    const handOut = this.handingOut.then(
      () => this.handOut(now_ms),
      () => this.handOut(now_ms),
    );
    this.handingOut = handOut.catch(() => undefined);
    return handOut;
  }

  private async handOut(now_ms: number): Promise<IssuedTable> {
    const availability = this.availability(now_ms);
    if (availability.kind === 'stale' || availability.kind === 'unavailable') throw refusalOf(availability);
    if (this.current === null) {
      const latest = await this.options.tables.latestRateTable();
      if (latest !== null) this.current = this.remember(issuedTableOf(latest));
    }
    const { quotes } = availability;
    const fullLife_ms = this.fullLife_ms(availability, now_ms);
    const current = this.current;
    // A table signed before a key rotation is signed again: wallets refuse the old key after its overlap.
    const signedNow = current !== null && current.envelope.kid === this.options.signer().kid;
    if (
      current !== null &&
      signedNow &&
      sameQuotes(current.envelope.payload, quotes) &&
      current.validUntil_ms > now_ms
    ) {
      // Near the end of the quotes' age a new table would live no longer: keep the one there is.
      const enoughLeft =
        current.validUntil_ms - now_ms >= this.options.lifespan_ms * REISSUE_WHEN_REMAINING ||
        current.validUntil_ms >= fullLife_ms;
      if (enoughLeft) return current;
    }
    this.current = this.remember(await this.issue(this.options.tables, quotes, now_ms, fullLife_ms));
    return this.current;
  }

  /**
   * A fresh table now, whatever life the current one has left: the staff publish on demand (after
   * correcting a rate source, say), recording it through `tables` (the step's transaction).
   * Refused as currentTable is when no quotes are fit to publish. Handed out once that
   * transaction has committed, by `handOutFromNow`.
   */
  async publishNow(tables: RateTableAccess, now_ms: number): Promise<IssuedTable> {
    const availability = this.availability(now_ms);
    if (availability.kind === 'stale' || availability.kind === 'unavailable') throw refusalOf(availability);
    return this.issue(tables, availability.quotes, now_ms, this.fullLife_ms(availability, now_ms));
  }

  /** Hands out `published` (recorded and committed) from now on. */
  handOutFromNow(published: IssuedTable): void {
    this.current = this.remember(published);
    this.options.log.info('rates.published', { table: published.envelope.payload.id });
  }

  /** A table never outlives its quotes' maximum age: past it, the customer must not convert with them. */
  private fullLife_ms(availability: RateAvailability, now_ms: number): number {
    return Math.min(
      now_ms + this.options.lifespan_ms,
      availability.kind === 'current' ? availability.usableUntil_ms : Infinity,
    );
  }

  /** Whether tables may be published now; logs when that changes (rates turned stale, new rates arrived). */
  availability(now_ms: number): RateAvailability {
    const availability = assessRates(this.options.quotes(), now_ms, this.options.maxSourceAge_s);
    const source = availability.kind === 'unavailable' ? null : availability.quotes.source;
    const report = `${availability.kind} ${source === null ? '' : describeSource(source)}`;
    if (report !== this.reported) {
      this.reported = report;
      this.logChange(availability);
    }
    return availability;
  }

  /** The quotes of the latest table issued (before a restart, too) that states its source; null when there is none. */
  async lastIssuedQuotes(): Promise<RateQuotes | null> {
    const latest = await this.options.tables.latestRateTable();
    if (latest === null) return null;
    const { base, rates, source } = (JSON.parse(latest.envelope) as RateTable).payload;
    return source === undefined ? null : { base, rates, source };
  }

  /**
   * The issued table the customer named, refused if this operator never issued it or it is no
   * longer valid. One this process has not met (another process issued it) is read from `tables`:
   * the step's transaction, or the storage outside one.
   */
  async tableForInitiation(tables: RateTableAccess, tableId: string, now_ms: number): Promise<RateTablePayload> {
    let table = this.byId.get(tableId);
    if (table === undefined) {
      const stored = await tables.rateTable(tableId);
      if (stored === null) throw new OpentabError('rate_table_unknown');
      table = this.remember(issuedTableOf(stored));
    }
    if (table.validUntil_ms <= now_ms) throw new OpentabError('rate_table_expired');
    return table.envelope.payload;
  }

  private logChange(availability: RateAvailability): void {
    const { log } = this.options;
    switch (availability.kind) {
      case 'current':
        log.info('rates.current', {
          source: describeSource(availability.quotes.source),
          usableUntil: formatTimestamp(availability.usableUntil_ms),
        });
        return;
      case 'sample':
        log.info('rates.sample', {
          source: describeSource(availability.quotes.source),
          note: 'served as sample rates, as configured; every table says so',
        });
        return;
      case 'stale':
      case 'unavailable':
        log.warn(`rates.${availability.kind}`, { problem: refusalOf(availability).message });
        return;
    }
  }

  /** Signs a table and records it; answers the table recorded under its id (insert-once). */
  private async issue(
    tables: RateTableAccess,
    quotes: RateQuotes,
    now_ms: number,
    validUntil_ms: number,
  ): Promise<IssuedTable> {
    const envelope = seal(
      this.options.crypto,
      this.options.signer(),
      {
        type: 'rate-table',
        operatorId: this.options.operatorId,
        base: quotes.base,
        rates: { ...quotes.rates },
        issuedAt: formatTimestamp(now_ms),
        validUntil: formatTimestamp(validUntil_ms),
        source: { ...quotes.source },
      } satisfies PayloadBody<RateTablePayload>,
      now_ms,
    );
    const issued: StoredRateTable = {
      tableId: envelope.payload.id,
      envelope: JSON.stringify(envelope),
      issuedAt_ms: now_ms,
      validUntil_ms,
    };
    if (await tables.insertRateTable(issued)) return { envelope, validUntil_ms };
    // Its id names the table kept first: that one is what a customer naming it is converted with.
    const kept = await tables.rateTable(issued.tableId);
    return issuedTableOf(kept!);
  }

  private remember(issued: IssuedTable): IssuedTable {
    this.byId.set(issued.envelope.payload.id, issued);
    return issued;
  }
}

function issuedTableOf(stored: StoredRateTable): IssuedTable {
  return { envelope: JSON.parse(stored.envelope) as RateTable, validUntil_ms: stored.validUntil_ms };
}
