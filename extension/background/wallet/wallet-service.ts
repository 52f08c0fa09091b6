// The wallet as a whole: its state, creating and unlocking it, enrolling it with an operator,
// the preferences, and backups. Tabs and rates have their own services.

import type { AccountView } from '@opentab/protocol';
import type { WalletState, OperatorView } from '../../messaging/views';
import { AgentError } from '../errors';
import type { IdleLock } from '../keys/idle-lock';
import type { ScryptCost } from '../keys/passphrase-box';
import type { Vault } from '../keys/vault';
import type { RulesService } from '../limits/rules-service';
import { defaultRules } from '../limits/spending-rules';
import type { Clock } from '../ports';
import type { RateService } from '../rates/rate-service';
import type { AgentDatabase } from '../storage/database';
import type { TabKeyring } from '../tabs/tab-keyring';
import { backupFilename, exportBackup, openBackup } from './backup';
import type { Enrolment } from './enrolment-record';
import type { OperatorLink } from './operator-link';
import { DEFAULT_PREFERENCES, IDLE_LOCK_RANGE_MIN, TAB_TIMEOUT_RANGE_S, type Preferences } from './preferences';

export class WalletService {
  constructor(
    private readonly db: AgentDatabase,
    private readonly vault: Vault,
    private readonly idleLock: IdleLock,
    private readonly link: OperatorLink,
    private readonly rates: RateService,
    private readonly rules: RulesService,
    private readonly keyring: TabKeyring,
    private readonly clock: Clock,
    private readonly backupCost?: ScryptCost,
  ) {}

  async state(): Promise<WalletState> {
    const vaultState = await this.vault.state();
    if (vaultState === 'uninitialised') return 'uninitialised';
    if (vaultState === 'locked') return 'locked';
    return (await this.db.meta.get('enrolment')) ? 'ready' : 'unenrolled';
  }

  /** Refuses with the precise reason when the wallet cannot pay. */
  async requireReady(): Promise<Enrolment> {
    await this.vault.secretKey();
    return this.link.enrolment();
  }

  async enrolmentOrNull(): Promise<Enrolment | null> {
    return (await this.db.meta.get('enrolment')) ?? null;
  }

  async operatorView(): Promise<OperatorView | null> {
    const enrolment = await this.enrolmentOrNull();
    return (
      enrolment && {
        operatorId: enrolment.operatorId,
        baseUrl: enrolment.baseUrl,
        currency: enrolment.currency,
        accountId: enrolment.accountId,
      }
    );
  }

  noteActivity(): Promise<void> {
    return this.idleLock.touch();
  }

  async create(passphrase: string): Promise<WalletState> {
    await this.vault.create(passphrase);
    await this.idleLock.touchNow();
    return this.state();
  }

  async unlock(passphrase: string): Promise<WalletState> {
    await this.vault.unlock(passphrase);
    await this.idleLock.touchNow();
    return this.state();
  }

  async lock(): Promise<WalletState> {
    await this.vault.lock();
    this.keyring.forgetAll();
    return this.state();
  }

  async enrol(operatorUrl: string, code: string): Promise<OperatorView> {
    const enrolment = await this.link.enrol(operatorUrl, code);
    if (!(await this.db.meta.get('rules'))) await this.rules.save(defaultRules(enrolment.currency));
    // The first rate table now, so prices convert on the first merchant page.
    await this.rates.refresh().catch(() => undefined);
    return (await this.operatorView())!;
  }

  async account(): Promise<AccountView> {
    await this.requireReady();
    return this.link.account();
  }

  async preferences(): Promise<Preferences> {
    return (await this.db.meta.get('preferences')) ?? DEFAULT_PREFERENCES;
  }

  async setPreferences(preferences: Preferences): Promise<void> {
    const { tabTimeout_s, idleLock_min } = preferences;
    if (
      !Number.isSafeInteger(tabTimeout_s) ||
      tabTimeout_s < TAB_TIMEOUT_RANGE_S.min ||
      tabTimeout_s > TAB_TIMEOUT_RANGE_S.max
    ) {
      throw new AgentError(
        'invalid_request',
        `The tab timeout must be between ${TAB_TIMEOUT_RANGE_S.min} and ${TAB_TIMEOUT_RANGE_S.max} seconds.`,
      );
    }
    if (
      !Number.isSafeInteger(idleLock_min) ||
      idleLock_min < IDLE_LOCK_RANGE_MIN.min ||
      idleLock_min > IDLE_LOCK_RANGE_MIN.max
    ) {
      throw new AgentError(
        'invalid_request',
        `The auto-lock time must be between ${IDLE_LOCK_RANGE_MIN.min} and ${IDLE_LOCK_RANGE_MIN.max} minutes.`,
      );
    }
    const before = await this.preferences();
    await this.db.meta.put('preferences', { tabTimeout_s, idleLock_min });
    // A new idle time counts from now (the alarm was set with the old one).
    if (before.idleLock_min !== idleLock_min && (await this.vault.state()) === 'unlocked')
      await this.idleLock.touchNow();
  }

  async exportBackup(passphrase: string): Promise<{ filename: string; json: string }> {
    if (!(await this.vault.verifyPassphrase(passphrase))) {
      throw new AgentError(
        'wrong_passphrase',
        'That is not the passphrase of this wallet; the backup is protected by it.',
      );
    }
    const vaultRecord = await this.db.meta.get('vault');
    const json = await exportBackup(
      {
        identitySecretKey: await this.vault.secretKey(),
        publicKey: vaultRecord!.publicKey,
        enrolment: await this.enrolmentOrNull(),
        rules: (await this.db.meta.get('rules')) ?? null,
        preferences: await this.preferences(),
      },
      passphrase,
      this.clock.now_ms(),
      this.backupCost,
    );
    return { filename: backupFilename(this.clock.now_ms()), json };
  }

  /** Replaces this browser's wallet with the one in the backup (refused while tabs are open here). */
  async restoreBackup(json: string, passphrase: string): Promise<WalletState> {
    const opened = await openBackup(json, passphrase);
    if (!opened.ok) {
      throw opened.problem === 'wrong_passphrase'
        ? new AgentError('wrong_passphrase', 'That passphrase does not open this backup.')
        : new AgentError('invalid_backup', 'That file is not an Opentab backup, or it is damaged.');
    }
    const active = (await this.db.tabs.all()).some((tab) => tab.phase === 'open' || tab.phase === 'opening');
    if (active || (await this.db.outbox.all()).length > 0) {
      throw new AgentError(
        'invalid_request',
        'Close your open tabs (and let their records reach your operator) before restoring a backup.',
      );
    }
    const { snapshot } = opened;
    await this.db.clear();
    this.keyring.forgetAll();
    await this.vault.install(snapshot.identitySecretKey, passphrase);
    if (snapshot.enrolment) await this.db.meta.put('enrolment', snapshot.enrolment);
    if (snapshot.rules) await this.db.meta.put('rules', snapshot.rules);
    await this.db.meta.put('preferences', snapshot.preferences);
    await this.idleLock.touchNow();
    if (snapshot.enrolment) await this.rates.refresh().catch(() => undefined);
    return this.state();
  }
}
