// Keeps a current, operator-signed rate table in the database: fetched on enrolment, again when
// the table's validUntil alarm fires, and on demand whenever a caller finds it expired.

import type { CryptoProvider } from '../../../protocol/crypto/provider';
import type { BridgeResult } from '../../../protocol/messages/bridge';
import type { RateTable } from '../../../protocol/messages/rate-table';
import type { WireAmount } from '../../../protocol/money/amount';
import { AgentError, rateTableExpired } from '../errors';
import type { AlarmPort, Clock } from '../ports';
import type { AgentDatabase } from '../storage/database';
import type { OperatorLink } from '../wallet/operator-link';
import type { RateStatusView } from '../../messaging/views';
import { checkRateTable, convertPrices, rateStatusOf, validUntilOf } from './rate-table';

export class RateService {
  constructor(
    private readonly db: AgentDatabase,
    private readonly link: OperatorLink,
    private readonly crypto: CryptoProvider,
    private readonly clock: Clock,
    private readonly alarms: AlarmPort,
  ) {}

  async status(): Promise<RateStatusView> {
    const table = await this.db.meta.get('rateTable');
    return {
      status: rateStatusOf(table, this.clock.now()),
      issuedAt: table?.payload.issuedAt ?? null,
      validUntil: table?.payload.validUntil ?? null,
    };
  }

  /** Fetches, checks and caches the operator's table; the cached one is kept if anything fails. */
  async refresh(): Promise<RateTable> {
    const enrolment = await this.link.enrolment();
    const table = await this.link.fetchRateTable();
    const check = checkRateTable(this.crypto, table, this.link.operatorKey(enrolment), enrolment.operatorId);
    if (!check.ok) {
      throw new AgentError('operator_unreachable', `Your operator sent a rate table Opentab cannot trust (${check.problem}).`);
    }
    await this.db.meta.put('rateTable', table);
    await this.scheduleRefresh(table);
    return table;
  }

  /** A table that is current now, fetching a new one if needed; refuses rather than use an expired one. */
  async current(): Promise<RateTable> {
    const cached = await this.db.meta.get('rateTable');
    if (rateStatusOf(cached, this.clock.now()) === 'current') return cached!;
    try {
      const fresh = await this.refresh();
      if (rateStatusOf(fresh, this.clock.now()) === 'current') return fresh;
    } catch (error) {
      if (error instanceof AgentError && error.code === 'operator_unreachable') throw rateTableExpired();
      throw error;
    }
    throw rateTableExpired();
  }

  async convert(prices: readonly WireAmount[], customerCurrency: string | null): Promise<BridgeResult<'convert'>> {
    if (customerCurrency === null) return { currency: null, rateStatus: 'missing', converted: prices.map(() => null), validUntil: null };
    let table = await this.db.meta.get('rateTable');
    if (rateStatusOf(table, this.clock.now()) !== 'current') {
      // Try once for a fresh table; an unreachable operator leaves the answer "expired".
      table = await this.refresh().catch(() => table);
    }
    const status = rateStatusOf(table, this.clock.now());
    return {
      currency: customerCurrency,
      rateStatus: status,
      converted: convertPrices(table, status, customerCurrency, prices),
      validUntil: table?.payload.validUntil ?? null,
    };
  }

  private async scheduleRefresh(table: RateTable): Promise<void> {
    await this.alarms.schedule('rates-refresh', Math.max(validUntilOf(table), this.clock.now() + 30_000));
  }
}
