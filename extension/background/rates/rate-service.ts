// Keeps a current, operator-signed rate table in the database: fetched on enrolment, again when
// the table's validUntil alarm fires, and on demand whenever a caller finds it expired. When the
// operator refuses to publish one (its rates are too old), that refusal is kept and shown, and
// nothing is converted until it publishes rates again.

import type { CryptoProvider } from '@opentab/protocol';
import type { BridgeResult } from '@opentab/protocol';
import type { RateTable } from '@opentab/protocol';
import type { WireAmount } from '@opentab/protocol';
import { AgentError, rateTableExpired } from '../errors';
import type { AlarmPort, Clock } from '../ports';
import type { AgentDatabase } from '../storage/database';
import type { OperatorLink } from '../wallet/operator-link';
import type { RateStatusView } from '../../messaging/views';
import {
  checkRateTable,
  convertPrices,
  describeTableRates,
  rateSourceOf,
  rateStatusOf,
  validUntilOf,
  type RateRefusal,
} from './rate-table';

/** How soon to ask again an operator that refused to publish rates. */
const RETRY_AFTER_REFUSAL_MS = 10 * 60_000;
/** How soon to ask again after a scheduled refresh failed otherwise (the operator unreachable). */
const RETRY_AFTER_FAILURE_MS = 60_000;

export class RateService {
  constructor(
    private readonly db: AgentDatabase,
    private readonly link: OperatorLink,
    private readonly crypto: CryptoProvider,
    private readonly clock: Clock,
    private readonly alarms: AlarmPort,
  ) {}

  async status(): Promise<RateStatusView> {
    const { table, refusal, status } = await this.cached();
    const customerCurrency = (await this.db.meta.get('enrolment'))?.currency;
    return {
      quotes: table && customerCurrency ? describeTableRates(table, customerCurrency) : [],
      status,
      issuedAt: table?.payload.issuedAt ?? null,
      validUntil: table?.payload.validUntil ?? null,
      source: table ? rateSourceOf(table) : null,
      refusal: status === 'current' ? null : (refusal?.message ?? null),
    };
  }

  /** Fetches, checks and caches the operator's table; the cached one is kept if anything fails. */
  async refresh(): Promise<RateTable> {
    const enrolment = await this.link.enrolment();
    const answer = await this.link.fetchRateTable();
    if (answer.kind === 'refused') {
      await this.db.meta.put('rateRefusal', { code: answer.code, message: answer.message, at_ms: this.clock.now_ms() });
      await this.alarms.schedule('rates-refresh', this.clock.now_ms() + RETRY_AFTER_REFUSAL_MS);
      throw ratesRefused(answer.message);
    }
    const { table } = answer;
    // The key that signed it, following the operator's key rotations; an unknown key fails the check.
    const operatorKey = (await this.link.operatorKeyFor(table.kid)) ?? this.link.operatorKey(enrolment);
    const check = checkRateTable(this.crypto, table, operatorKey, enrolment.operatorId);
    if (!check.ok) {
      throw new AgentError(
        'operator_unreachable',
        `Your operator sent a rate table Opentab cannot trust (${check.problem}).`,
      );
    }
    await this.db.meta.put('rateTable', table);
    await this.db.meta.delete('rateRefusal');
    await this.scheduleRefresh(table);
    return table;
  }

  /**
   * After a scheduled refresh failed: asks again in a minute, unless the operator refused (that
   * refusal scheduled its own, later, retry).
   */
  async retrySoon(): Promise<void> {
    if (await this.db.meta.get('rateRefusal')) return;
    await this.alarms.schedule('rates-refresh', this.clock.now_ms() + RETRY_AFTER_FAILURE_MS);
  }

  /** A table that is current now, fetching a new one if needed; refuses rather than use an expired one. */
  async current(): Promise<RateTable> {
    const cached = await this.cached();
    if (cached.status === 'current') return cached.table!;
    try {
      const fresh = await this.refresh();
      if (rateStatusOf(fresh, this.clock.now_ms()) === 'current') return fresh;
    } catch (error) {
      if (error instanceof AgentError && error.code === 'operator_unreachable') throw rateTableExpired();
      throw error;
    }
    throw rateTableExpired();
  }

  async convert(prices: readonly WireAmount[], customerCurrency: string | null): Promise<BridgeResult<'convert'>> {
    if (customerCurrency === null)
      return {
        currency: null,
        rateStatus: 'missing',
        converted: prices.map(() => null),
        validUntil: null,
        rateSource: null,
      };
    let cached = await this.cached();
    if (cached.status !== 'current') {
      // Try once for a fresh table; an unreachable or refusing operator leaves no current one.
      await this.refresh().catch(() => undefined);
      cached = await this.cached();
    }
    const { table, status } = cached;
    return {
      currency: customerCurrency,
      rateStatus: status,
      converted: convertPrices(table, status, customerCurrency, prices),
      validUntil: table?.payload.validUntil ?? null,
      rateSource: table !== undefined && status === 'current' ? rateSourceOf(table) : null,
    };
  }

  private async cached(): Promise<{
    table: RateTable | undefined;
    refusal: RateRefusal | undefined;
    status: ReturnType<typeof rateStatusOf>;
  }> {
    const [table, refusal] = await Promise.all([this.db.meta.get('rateTable'), this.db.meta.get('rateRefusal')]);
    return { table, refusal, status: rateStatusOf(table, this.clock.now_ms(), refusal) };
  }

  private async scheduleRefresh(table: RateTable): Promise<void> {
    await this.alarms.schedule('rates-refresh', Math.max(validUntilOf(table), this.clock.now_ms() + 30_000));
  }
}

/** The page sees the operator's own reason: its rates are too old, or it has none. */
function ratesRefused(operatorSentence: string): AgentError {
  return new AgentError(
    'rate_table_expired',
    `Your operator has no current exchange rates, so no price can be converted. ${operatorSentence}`,
  );
}
