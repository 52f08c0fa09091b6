// Opens a new transaction at a merchant (seed FIG 2 from the customer's side): the merchant's
// certificate through the own AM and the origin check before anything else, then the rate, the
// deposit, the customer's rules (and, unless an allowance covers it, the customer's own yes),
// then the signed initiation, and finally a TabOpened that must match it in every term.

import type { CryptoProvider } from '../../../protocol/crypto/provider';
import { signEnvelope } from '../../../protocol/envelope';
import { newMessageId } from '../../../protocol/ids';
import type { Initiation, InitiationPayload, TabOpened } from '../../../protocol/messages/customer';
import type { MerchantCertificate } from '../../../protocol/messages/certificates';
import { formatMoney, moneyToWire, parseWireAmount, type WireAmount } from '../../../protocol/money/amount';
import { describeRate } from '../../../protocol/rates/conversion';
import { formatTimestamp } from '../../../protocol/time';
import type { MerchantRef } from '../../messaging/views';
import { AgentError, declinedByCustomer } from '../errors';
import type { Vault } from '../keys/vault';
import { holdsSoFar } from '../limits/holds-so-far';
import type { RulesService } from '../limits/rules-service';
import { decideDeposit } from '../limits/spending-rules';
import type { Clock } from '../ports';
import { lockTableRate } from '../rates/rate-table';
import type { RateService } from '../rates/rate-service';
import type { OperatorLink } from '../wallet/operator-link';
import type { Preferences } from '../wallet/preferences';
import type { ConfirmationBroker } from './confirmation-broker';
import { chainPlanFor, checkTabOpened, holdForNewTab, initiationBody } from './initiation';
import { checkMerchantCertificate, checkMerchantVouch, originAllowed } from './merchant-check';
import type { TabBook } from './tab-book';
import type { TabKeyring } from './tab-keyring';
import { createTabSecrets } from './tab-secrets';
import { holdsCount, type OpenTab, type OpeningTab } from './tab-record';

export interface OpeningRequest {
  readonly merchant: MerchantRef;
  readonly pageOrigin: string;
  /** The first purchase's price: the deposit must at least cover it. */
  readonly firstPrice: WireAmount;
}

export class TabOpener {
  constructor(
    private readonly vault: Vault,
    private readonly link: OperatorLink,
    private readonly rates: RateService,
    private readonly rules: RulesService,
    private readonly broker: ConfirmationBroker,
    private readonly book: TabBook,
    private readonly keyring: TabKeyring,
    private readonly preferences: () => Promise<Preferences>,
    private readonly crypto: CryptoProvider,
    private readonly clock: Clock,
  ) {}

  /** The merchant certificate, vouched by the own AM, for a page at `pageOrigin`: before any money is held. */
  async verifiedMerchant(merchant: MerchantRef, pageOrigin: string): Promise<MerchantCertificate> {
    const enrolment = await this.link.enrolment();
    const vouch = await this.link.merchantQuery(merchant.merchantId, merchant.operatorId);
    const operator = { operatorId: enrolment.operatorId, publicKey: this.link.operatorKey(enrolment) };
    const check = checkMerchantVouch(this.crypto, vouch, operator, merchant, pageOrigin, this.clock.now());
    if (!check.ok) throw new AgentError(check.code, check.reason);
    return check.certificate;
  }

  async open(request: OpeningRequest): Promise<OpenTab> {
    const { merchant, pageOrigin, firstPrice } = request;
    // A current table first: without one no deposit can be converted, and asking anyone is pointless.
    const table = await this.rates.current();
    const certificate = await this.verifiedMerchant(merchant, pageOrigin);
    const displayName = certificate.payload.displayName;
    const enrolment = await this.link.enrolment();
    const price = parseWireAmount(firstPrice);
    if (!price.ok || price.money.currency !== certificate.payload.currency) {
      throw new AgentError('invalid_request', `${displayName} prices in ${certificate.payload.currency}; the page asked to pay ${firstPrice.value} ${firstPrice.currency}.`);
    }
    const rate = lockTableRate(table, enrolment.currency, certificate.payload.currency);
    if (!rate) {
      throw new AgentError('merchant_refused', `Your operator's rate table has no rate between ${enrolment.currency} and ${certificate.payload.currency}.`);
    }
    const rules = await this.rules.get();
    const hold = holdForNewTab(rules.defaultDeposit_minor, price.money.minor, rate);
    const chainPlan = chainPlanFor(hold, rate);
    if (!chainPlan.ok) throw new AgentError('limit_reached', `A tab here cannot be opened: ${chainPlan.reason}.`);

    const format = (minor: bigint) => formatMoney({ currency: enrolment.currency, minor });
    const held = holdsSoFar(
      (await this.book.all()).filter(holdsCount).map((tab) => ({ openedAt_ms: tab.createdAt_ms, depositCustomer_minor: tab.depositCustomer_minor })),
      this.clock.now(),
    );
    const decision = decideDeposit(rules, { ...merchant, displayName }, hold, held, format);
    if (decision.kind === 'refuse') throw new AgentError(decision.code, decision.reason);
    const { tabTimeout_s } = await this.preferences();
    if (decision.kind === 'ask-customer') {
      const answer = await this.broker.ask({
        merchant,
        merchantDisplayName: displayName,
        verifiedOrigin: pageOrigin,
        depositCustomer: moneyToWire({ currency: enrolment.currency, minor: hold }),
        depositMerchant: moneyToWire({ currency: certificate.payload.currency, minor: chainPlan.depositMerchant_minor }),
        rate: describeRate(rate),
        timeout_s: tabTimeout_s,
        suggestedAllowance: moneyToWire({ currency: enrolment.currency, minor: hold }),
      });
      if (answer.kind === 'decline') throw declinedByCustomer();
      if (answer.kind === 'approve-and-allow') {
        const upTo = parseWireAmount({ currency: enrolment.currency, value: answer.upTo });
        if (upTo.ok) await this.rules.allow(merchant, displayName, upTo.money.minor);
      }
    }

    // Signed with the identity key; stored before it is sent so that it can be re-sent unchanged.
    const signer = await this.vault.signer();
    const localId = newMessageId(this.crypto);
    const secrets = createTabSecrets(this.crypto, await this.vault.tabSecretsKey(), localId, chainPlan.length);
    const body = initiationBody({
      accountId: enrolment.accountId,
      sessionId: await this.link.sessionId(),
      merchant,
      customerCurrency: enrolment.currency,
      hold_minor: hold,
      rateTableId: table.payload.id,
      merchantCurrency: certificate.payload.currency,
      tabPublicKey: secrets.tabSigner.kid,
      chain: secrets.chain.commitment,
      timeout_s: tabTimeout_s,
    });
    const initiation: Initiation = signEnvelope(signer, { ...body, id: localId, iat: formatTimestamp(this.clock.now()) } satisfies InitiationPayload);
    const opening: OpeningTab = {
      phase: 'opening',
      localId,
      merchant: { merchantId: merchant.merchantId, operatorId: merchant.operatorId },
      merchantDisplayName: displayName,
      origin: pageOrigin,
      merchantCertificate: certificate,
      customerCurrency: enrolment.currency,
      depositCustomer_minor: hold,
      depositMerchant_minor: chainPlan.depositMerchant_minor,
      rate,
      chainLength: chainPlan.length,
      secrets: secrets.sealed,
      initiation,
      createdAt_ms: this.clock.now(),
    };
    await this.book.save(opening);
    this.keyring.remember(localId, secrets);
    return this.complete(opening);
  }

  /** Sends (or re-sends) a stored initiation and turns the answer into an open tab. */
  async complete(opening: OpeningTab): Promise<OpenTab> {
    const enrolment = await this.link.enrolment();
    const opened: TabOpened = await this.link.openTab(opening.initiation).catch(async (error: unknown) => {
      // Unanswered: the hold may exist, so the initiation stays stored and is re-sent next time.
      if (error instanceof AgentError && error.code === 'operator_unreachable') throw error;
      await this.book.save({ ...opening, phase: 'failed', failure: (error as Error).message });
      throw error;
    });
    const fail = async (reason: string): Promise<never> => {
      await this.book.save({ ...opening, phase: 'failed', failure: reason });
      throw new AgentError('merchant_refused', `The tab could not be opened safely: ${reason}.`);
    };
    const check = checkTabOpened(this.crypto, opened, {
      operatorId: enrolment.operatorId,
      operatorKey: this.link.operatorKey(enrolment),
      initiation: opening.initiation.payload,
      rate: opening.rate,
      depositMerchant_minor: opening.depositMerchant_minor,
      vouchedCertificateKid: opening.merchantCertificate.kid,
    });
    if (!check.ok) return fail(check.reason);
    const certificate = opened.payload.merchantCertificate;
    const certificateCheck = checkMerchantCertificate(this.crypto, certificate, opening.merchant, this.clock.now());
    if (!certificateCheck.ok) return fail(certificateCheck.reason);
    if (!originAllowed(certificate.payload, opening.origin)) return fail(`the merchant certificate no longer lists ${opening.origin}`);
    const open: OpenTab = {
      ...opening,
      phase: 'open',
      merchantCertificate: certificate,
      merchantDisplayName: certificate.payload.displayName,
      transactionId: opened.payload.transactionId,
      tabId: opened.payload.tabId,
      tabOpened: opened,
      expiresAt_ms: check.expiresAt_ms,
      chainIndex: 0,
      count: 0,
      pendingPurchase: null,
    };
    await this.book.save(open);
    return open;
  }
}
