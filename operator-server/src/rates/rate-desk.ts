// Issues this operator's signed rate tables and remembers every one it issued, because an
// initiation names the table the customer saw and must be converted with exactly that table.
// Issues none from quotes too old to publish, and no table outlives the age its quotes may reach.

import type Database from 'better-sqlite3';
import { seal, type PayloadBody, type Signer } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { RateTable, RateTablePayload } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import type { Logger } from '../support/logger';
import { RateTableStore } from './rate-table-store';
import { sameQuotes, type RateQuotes } from './rate-quotes';
import { assessRates, describeSource, refusalOf, type RateAvailability } from './rate-freshness';

export interface IssuedTable {
  readonly envelope: RateTable;
  readonly validUntil_ms: number;
}

export interface RateDeskOptions {
  readonly db: Database.Database;
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
  private readonly tables: RateTableStore;
  /** What the log last said about the rates, so that it speaks again only when that changes. */
  private reported = '';

  constructor(private readonly options: RateDeskOptions) {
    this.tables = new RateTableStore(options.db);
  }

  /**
   * The table to hand out now: the latest one while it states the current quotes and has enough
   * life left, else a fresh one (a table from before tables stated their source never qualifies).
   * Refuses (rates_stale, rates_unavailable) when there are no quotes fit to publish.
   */
  currentTable(now_ms: number): IssuedTable {
    const availability = this.availability(now_ms);
    if (availability.kind === 'stale' || availability.kind === 'unavailable') throw refusalOf(availability);
    if (this.current === null) {
      const latest = this.tables.latestRateTable();
      if (latest !== null) this.current = this.remember(JSON.parse(latest.envelope) as RateTable, latest.validUntil_ms);
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
    this.current = this.issue(quotes, now_ms, fullLife_ms);
    return this.current;
  }

  /**
   * A fresh table now, whatever life the current one has left: the staff publish on demand (after
   * correcting a rate source, say). Refused as currentTable is when no quotes are fit to publish.
   */
  publishNow(now_ms: number): IssuedTable {
    const availability = this.availability(now_ms);
    if (availability.kind === 'stale' || availability.kind === 'unavailable') throw refusalOf(availability);
    this.current = this.issue(availability.quotes, now_ms, this.fullLife_ms(availability, now_ms));
    this.options.log.info('rates.published', { table: this.current.envelope.payload.id });
    return this.current;
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
  lastIssuedQuotes(): RateQuotes | null {
    const latest = this.tables.latestRateTable();
    if (latest === null) return null;
    const { base, rates, source } = (JSON.parse(latest.envelope) as RateTable).payload;
    return source === undefined ? null : { base, rates, source };
  }

  /** The issued table the customer named, refused if unknown here or no longer valid. */
  tableForInitiation(tableId: string, now_ms: number): RateTablePayload {
    let table = this.byId.get(tableId);
    if (table === undefined) {
      const row = this.tables.rateTable(tableId);
      if (row === null) throw new OpentabError('rate_table_unknown');
      table = this.remember(JSON.parse(row.envelope) as RateTable, row.validUntil_ms);
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

  private issue(quotes: RateQuotes, now_ms: number, validUntil_ms: number): IssuedTable {
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
    this.tables.insertRateTable({
      tableId: envelope.payload.id,
      envelope: JSON.stringify(envelope),
      issuedAt_ms: now_ms,
      validUntil_ms,
    });
    return this.remember(envelope, validUntil_ms);
  }

  private remember(envelope: RateTable, validUntil_ms: number): IssuedTable {
    const issued = { envelope, validUntil_ms };
    this.byId.set(envelope.payload.id, issued);
    return issued;
  }
}
