// Opens a new transaction at a merchant (seed FIG 2 from the customer's side): the merchant's
// certificate through the own AM and the origin check before anything else, then the rate, the
// chain unit the certified merchant agent publishes, the deposit, the customer's rules (and,
// unless an allowance covers it, the customer's own yes), then the signed initiation, and
// finally a TabOpened that must match it in every term.

import type { CryptoProvider } from '@opentab/protocol';
import { signEnvelope } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import type { Initiation, InitiationPayload, TabOpened } from '@opentab/protocol';
import { fromBase64urlOfLength } from '@opentab/protocol';
import type { MerchantCertificate, MerchantCertificatePayload, OperatorCertificate } from '@opentab/protocol';
import type { LockedRate } from '@opentab/protocol';
import { formatMoney, moneyToWire, type ParsedAmount } from '@opentab/protocol';
import { describeRate, merchantToCustomer } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import type { MerchantRef, SignedProductSummary } from '../../messaging/views';
import { AgentError, declinedByCustomer } from '../errors';
import type { Vault } from '../keys/vault';
import { holdsSoFar } from '../limits/holds-so-far';
import { parseCustomerAmount } from '../limits/limits-views';
import type { RulesService } from '../limits/rules-service';
import { decideDeposit, depositCeiling } from '../limits/spending-rules';
import type { Clock } from '../ports';
import { lockTableRate, rateSourceOf } from '../rates/rate-table';
import type { RateTableSource } from '@opentab/protocol';
import type { RateService } from '../rates/rate-service';
import type { Enrolment } from '../wallet/enrolment-record';
import { OpeningUndecided, type OperatorLink } from '../wallet/operator-link';
import type { Preferences } from '../wallet/preferences';
import type { ConfirmationBroker } from './confirmation-broker';
import { choiceOfDeposit } from './deposit-choice';
import {
  chainPlanFor,
  chainUnitFor,
  checkTabOpened,
  holdForNewTab,
  initiationBody,
  minimumHoldFor,
} from './initiation';
import type { MerchantAgentClient } from './merchant-agent';
import { checkMerchantCertificate, checkMerchantVouch, originAllowed } from './merchant-check';
import type { TabBook } from './tab-book';
import type { TabKeyring } from './tab-keyring';
import { createTabSecrets } from './tab-secrets';
import { capUseOf, merchantOperatorKeyOf, type OpenTab, type OpeningTab } from './tab-record';
import { replacedTabView } from './tab-views';

export interface OpeningRequest {
  readonly merchant: MerchantRef;
  readonly pageOrigin: string;
  /** The item the tab is opened for: the customer is told what it is, and the deposit must cover its price. */
  readonly itemId: string;
  readonly firstPrice: ParsedAmount;
  /**
   * The open tab here that cannot pay the item. The customer is told what is left on it and what
   * it cost; `retire` closes it once the new tab is agreed, so a "no" leaves it open.
   */
  readonly replacing?: { readonly tab: OpenTab; readonly retire: () => Promise<void> };
  /**
   * For a product sold by secure delivery: reads and checks its signed description at the verified
   * merchant's agent, so the confirmation shows it (null when it cannot be read or checked).
   */
  readonly describe?: (certificate: MerchantCertificatePayload) => Promise<SignedProductSummary | null>;
}

export interface VerifiedMerchant {
  readonly certificate: MerchantCertificate;
  /** The CA-signed certificate of the operator that signed `certificate`. */
  readonly operatorCertificate: OperatorCertificate;
}

interface TabTerms {
  readonly merchant: MerchantRef;
  readonly displayName: string;
  readonly pageOrigin: string;
  readonly certificate: MerchantCertificate;
  readonly operatorCertificate: OperatorCertificate;
  readonly enrolment: Enrolment;
  readonly rateTableId: string;
  readonly rate: LockedRate;
  readonly rateSource: RateTableSource | null;
  readonly price_minor: bigint;
  readonly hold_minor: bigint;
  readonly chain: { readonly length: number; readonly unit_minor: bigint; readonly depositMerchant_minor: bigint };
  readonly timeout_s: number;
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
    private readonly merchants: MerchantAgentClient,
    private readonly preferences: () => Promise<Preferences>,
    private readonly crypto: CryptoProvider,
    private readonly clock: Clock,
  ) {}

  /**
   * The merchant certificate, vouched by the own AM and signed by a merchant operator the CA
   * certified, for a page at `pageOrigin`: before any money is held.
   */
  async verifiedMerchant(merchant: MerchantRef, pageOrigin: string): Promise<VerifiedMerchant> {
    const vouch = await this.link.merchantQuery(merchant.merchantId, merchant.operatorId);
    // Vouched under a key of the operator's rotation: the enrolment may have moved on to it.
    const vouchKey = await this.link.operatorKeyFor(vouch.kid);
    const enrolment = await this.link.enrolment();
    const anchors = this.link.trustAnchors(enrolment);
    const check = checkMerchantVouch(
      this.crypto,
      vouch,
      vouchKey === null ? anchors : { ...anchors, operatorKey: vouchKey },
      merchant,
      pageOrigin,
      this.clock.now_ms(),
    );
    if (!check.ok) throw new AgentError(check.code, check.reason);
    return { certificate: check.certificate, operatorCertificate: check.operatorCertificate };
  }

  async open(request: OpeningRequest): Promise<OpenTab> {
    const terms = await this.obtainConsent(await this.termsFor(request), request);
    await request.replacing?.retire();
    return this.initiate(terms);
  }

  /** Who, at which rate, how much: everything the customer is asked about, and nothing held yet. */
  private async termsFor({ merchant, pageOrigin, firstPrice }: OpeningRequest): Promise<TabTerms> {
    // A current table first: without one no deposit can be converted, and asking anyone is pointless.
    const table = await this.rates.current();
    const { certificate, operatorCertificate } = await this.verifiedMerchant(merchant, pageOrigin);
    const { displayName, currency: merchantCurrency } = certificate.payload;
    const enrolment = await this.link.enrolment();
    if (firstPrice.wire.currency !== merchantCurrency) {
      throw new AgentError(
        'invalid_request',
        `${displayName} prices in ${merchantCurrency}; the page asked to pay ${firstPrice.wire.value} ${firstPrice.wire.currency}.`,
      );
    }
    const rate = lockTableRate(table, enrolment.currency, merchantCurrency);
    if (!rate) {
      throw new AgentError(
        'merchant_refused',
        `Your operator's rate table has no rate between ${enrolment.currency} and ${merchantCurrency}.`,
      );
    }
    // The unit from the merchant agent the certificate names, checked against the first price
    // (chainUnitFor says why a wrong one cannot overcharge); one minor unit when it cannot be read.
    const chainUnit_minor = chainUnitFor(
      await this.merchants.publishedChainUnit(certificate.payload),
      merchantCurrency,
      firstPrice.minor,
    );
    const rules = await this.rules.get();
    const hold_minor = holdForNewTab(rules.defaultDeposit_minor, firstPrice.minor, rate);
    const chain = chainPlanFor(hold_minor, rate, chainUnit_minor);
    if (!chain.ok) throw new AgentError('limit_reached', `A tab here cannot be opened: ${chain.reason}.`);
    const { tabTimeout_s } = await this.preferences();
    return {
      merchant: { merchantId: merchant.merchantId, operatorId: merchant.operatorId },
      displayName,
      pageOrigin,
      certificate,
      operatorCertificate,
      enrolment,
      rateTableId: table.payload.id,
      rate,
      rateSource: rateSourceOf(table),
      price_minor: firstPrice.minor,
      hold_minor,
      chain,
      timeout_s: tabTimeout_s,
    };
  }

  /**
   * The customer's rules decide; where they allow it only with a yes, the customer is asked, and
   * may change the deposit: the terms agreed are returned.
   */
  private async obtainConsent(terms: TabTerms, request: OpeningRequest): Promise<TabTerms> {
    const { enrolment, merchant, displayName, hold_minor } = terms;
    const customerAmount = (minor: bigint) => ({ currency: enrolment.currency, minor });
    const held = holdsSoFar(
      (await this.book.all()).flatMap((tab) => capUseOf(tab) ?? []),
      this.clock.now_ms(),
    );
    const rules = await this.rules.get();
    const decision = decideDeposit(rules, { ...merchant, displayName }, hold_minor, held, (minor) =>
      formatMoney(customerAmount(minor)),
    );
    if (decision.kind === 'refuse') throw new AgentError(decision.code, decision.reason);
    if (decision.kind === 'open-without-asking') return terms;
    const minimum_minor = minimumHoldFor(terms.price_minor, terms.rate);
    const ceiling_minor = depositCeiling(rules, held);
    const withDeposit = (deposit: string): TabTerms => {
      const chosen = choiceOfDeposit({
        deposit_minor: parseCustomerAmount(enrolment.currency, deposit, 'The deposit'),
        minimum_minor,
        ceiling_minor,
        rate: terms.rate,
        unit_minor: terms.chain.unit_minor,
      });
      if (!chosen.ok) throw new AgentError('invalid_request', chosen.problem);
      return { ...terms, hold_minor: chosen.hold_minor, chain: chosen.chain };
    };
    const merchantAmount = (minor: bigint) => moneyToWire({ currency: terms.rate.merchant.currency, minor });
    const [title, delivered] = await Promise.all([
      this.merchants.itemTitle(terms.certificate.payload, request.itemId).catch(() => null),
      request.describe?.(terms.certificate.payload).catch(() => null) ?? null,
    ]);
    const answer = await this.broker.ask(
      {
        merchant,
        merchantDisplayName: displayName,
        verifiedOrigin: terms.pageOrigin,
        item: {
          itemId: request.itemId,
          title,
          price: merchantAmount(terms.price_minor),
          priceCustomer: moneyToWire(customerAmount(merchantToCustomer(terms.price_minor, terms.rate))),
          ...(delivered ? { delivered } : {}),
        },
        replacing: request.replacing ? replacedTabView(request.replacing.tab) : null,
        minimumDeposit: moneyToWire(customerAmount(minimum_minor)),
        maximumDeposit: ceiling_minor === null ? null : moneyToWire(customerAmount(ceiling_minor)),
        depositCustomer: moneyToWire(customerAmount(hold_minor)),
        depositMerchant: merchantAmount(terms.chain.depositMerchant_minor),
        rate: describeRate(terms.rate),
        rateSource: terms.rateSource,
        timeout_s: terms.timeout_s,
        suggestedAllowance: moneyToWire(customerAmount(hold_minor)),
      },
      (deposit) => {
        const quoted = withDeposit(deposit);
        return {
          depositCustomer: moneyToWire(customerAmount(quoted.hold_minor)),
          depositMerchant: merchantAmount(quoted.chain.depositMerchant_minor),
        };
      },
    );
    if (answer.kind === 'decline') throw declinedByCustomer();
    // Read as confirmDecision checked them: a deposit or an allowance that is no amount never gets this far.
    const agreed = answer.deposit === undefined ? terms : withDeposit(answer.deposit);
    if (answer.kind === 'approve-and-allow')
      await this.rules.allow(
        merchant,
        displayName,
        parseCustomerAmount(enrolment.currency, answer.upTo, 'The allowance'),
      );
    return agreed;
  }

  /** Signs the initiation with the identity key and stores it before sending, so it can be re-sent unchanged. */
  private async initiate(terms: TabTerms): Promise<OpenTab> {
    const { enrolment, merchant, chain } = terms;
    const signer = await this.vault.signer();
    const localId = newMessageId(this.crypto);
    const secrets = createTabSecrets(this.crypto, await this.vault.tabSecretsKey(), localId, chain.length);
    const body = initiationBody({
      accountId: enrolment.accountId,
      sessionId: await this.link.sessionId(),
      merchant,
      customerCurrency: enrolment.currency,
      hold_minor: terms.hold_minor,
      rateTableId: terms.rateTableId,
      merchantCurrency: terms.rate.merchant.currency,
      tabPublicKey: secrets.tabSigner.kid,
      chain: secrets.chain.commitment,
      chainUnit_minor: chain.unit_minor,
      timeout_s: terms.timeout_s,
    });
    const initiation: Initiation = signEnvelope(signer, {
      ...body,
      id: localId,
      iat: formatTimestamp(this.clock.now_ms()),
    } satisfies InitiationPayload);
    const opening: OpeningTab = {
      phase: 'opening',
      localId,
      merchant,
      merchantDisplayName: terms.displayName,
      origin: terms.pageOrigin,
      merchantCertificate: terms.certificate,
      merchantOperatorCertificate: terms.operatorCertificate,
      customerCurrency: enrolment.currency,
      depositCustomer_minor: terms.hold_minor,
      depositMerchant_minor: chain.depositMerchant_minor,
      rate: terms.rate,
      rateSource: terms.rateSource,
      chainLength: chain.length,
      chainUnit_minor: chain.unit_minor,
      secrets: secrets.sealed,
      initiation,
      createdAt_ms: this.clock.now_ms(),
    };
    await this.book.save(opening);
    this.keyring.remember(localId, secrets);
    return this.complete(opening);
  }

  /** Sends (or re-sends) a stored initiation and turns the answer into an open tab. */
  async complete(opening: OpeningTab): Promise<OpenTab> {
    const enrolment = await this.link.enrolment();
    const opened: TabOpened = await this.link.openTab(opening.initiation).catch(async (error: unknown) => {
      // Unanswered or undecided: the hold may exist, so the initiation stays stored and is re-sent
      // next time; the AM answers it once, whatever it learnt meanwhile.
      if (error instanceof OpeningUndecided) throw error;
      await this.book.save({ ...opening, phase: 'failed', failure: (error as Error).message });
      throw error;
    });
    const fail = async (reason: string): Promise<never> => {
      await this.book.save({ ...opening, phase: 'failed', failure: reason });
      throw new AgentError('merchant_refused', `The tab could not be opened safely: ${reason}.`);
    };
    const check = checkTabOpened(this.crypto, opened, {
      operatorId: enrolment.operatorId,
      operatorKey: (await this.link.operatorKeyFor(opened.kid)) ?? this.link.operatorKey(enrolment),
      initiation: opening.initiation.payload,
      rate: opening.rate,
      depositMerchant_minor: opening.depositMerchant_minor,
      vouchedCertificateKid: opening.merchantCertificate.kid,
    });
    if (!check.ok) return fail(check.reason);
    const certificate = opened.payload.merchantCertificate;
    const merchantOperatorKey = fromBase64urlOfLength(merchantOperatorKeyOf(opening), 32);
    const certificateCheck = checkMerchantCertificate(
      this.crypto,
      certificate,
      merchantOperatorKey,
      opening.merchant,
      this.clock.now_ms(),
    );
    if (!certificateCheck.ok) return fail(certificateCheck.reason);
    if (!originAllowed(certificate.payload, opening.origin))
      return fail(`the merchant certificate no longer lists ${opening.origin}`);
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
