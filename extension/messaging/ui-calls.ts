// The extension's own pages (popup, options, confirm) → background. Only a sender whose URL is
// inside this extension may make these calls; content scripts get page calls only.

import { allOf, type BridgeErrorCode } from '@opentab/protocol';
import type { CallResult } from './result';
import type {
  AccountSummaryView,
  ConfirmDecision,
  ConfirmationView,
  DepositQuote,
  HistoryView,
  OperatorView,
  OverviewView,
  RateStatusView,
  SettingsView,
  WalletState,
} from './views';

/** Decimal strings in the customer's currency; null removes a cap. */
export interface LimitsInput {
  readonly maxDepositPerTab: string | null;
  readonly dailyCap: string | null;
  readonly monthlyCap: string | null;
  readonly defaultDeposit: string;
}

export interface UiCalls {
  getOverview: { params: Record<string, never>; result: OverviewView };
  createWallet: { params: { passphrase: string }; result: WalletState };
  unlock: { params: { passphrase: string }; result: WalletState };
  lock: { params: Record<string, never>; result: WalletState };
  enroll: { params: { operatorUrl: string; code: string }; result: OperatorView };
  getAccount: { params: Record<string, never>; result: AccountSummaryView };
  closeTab: { params: { transactionId: string }; result: { closed: boolean } };
  getSettings: { params: Record<string, never>; result: SettingsView };
  setLimits: { params: { limits: LimitsInput; tabTimeout_s: number; idleLock_min: number }; result: SettingsView };
  setAllowance: {
    params: { merchantId: string; operatorId: string; displayName: string; maxDeposit: string };
    result: SettingsView;
  };
  revokeAllowance: { params: { merchantId: string; operatorId: string }; result: SettingsView };
  blockMerchant: { params: { merchantId: string; operatorId: string; displayName: string }; result: SettingsView };
  unblockMerchant: { params: { merchantId: string; operatorId: string }; result: SettingsView };
  getHistory: { params: Record<string, never>; result: HistoryView };
  exportHistoryCsv: { params: Record<string, never>; result: { filename: string; csv: string } };
  exportBackup: { params: { passphrase: string }; result: { filename: string; json: string } };
  restoreBackup: { params: { json: string; passphrase: string }; result: WalletState };
  refreshRates: { params: Record<string, never>; result: RateStatusView };
  getConfirmation: { params: { requestId: string }; result: ConfirmationView };
  quoteDeposit: { params: { requestId: string; deposit: string }; result: DepositQuote };
  confirmDecision: { params: { requestId: string; decision: ConfirmDecision }; result: { recorded: boolean } };
}

export type UiCall = keyof UiCalls;

/** Every call once: the compiler refuses a name that is not a call, and a call left out. */
export const UI_CALL_NAMES = allOf<UiCall>()([
  'getOverview',
  'createWallet',
  'unlock',
  'lock',
  'enroll',
  'getAccount',
  'closeTab',
  'getSettings',
  'setLimits',
  'setAllowance',
  'revokeAllowance',
  'blockMerchant',
  'unblockMerchant',
  'getHistory',
  'exportHistoryCsv',
  'exportBackup',
  'restoreBackup',
  'refreshRates',
  'getConfirmation',
  'quoteDeposit',
  'confirmDecision',
]);

/** Failures only the extension's own pages can meet, beside every failure a page can meet. */
export type UiOnlyErrorCode =
  | 'wrong_passphrase'
  | 'weak_passphrase'
  | 'wallet_exists'
  | 'already_enrolled'
  | 'enrollment_refused'
  | 'invalid_backup'
  | 'not_found';

export type AgentErrorCode = BridgeErrorCode | UiOnlyErrorCode;

export const UI_CALL_CHANNEL = 'opentab:ui-call';

export interface UiCallMessage<C extends UiCall = UiCall> {
  readonly channel: typeof UI_CALL_CHANNEL;
  readonly call: C;
  readonly params: UiCalls[C]['params'];
}

export type UiCallResult<C extends UiCall = UiCall> = CallResult<UiCalls[C]['result'], AgentErrorCode>;

export function isUiCallMessage(message: unknown): message is UiCallMessage {
  if (typeof message !== 'object' || message === null) return false;
  const candidate = message as Record<string, unknown>;
  return (
    candidate.channel === UI_CALL_CHANNEL &&
    (UI_CALL_NAMES as readonly unknown[]).includes(candidate.call) &&
    typeof candidate.params === 'object' &&
    candidate.params !== null
  );
}
