// Ledger refusals that can reach a client, translated into the protocol's stable codes.

import { OpentabError } from '@opentab/protocol';
import type { LedgerError } from '../ledger';

export function ledgerErrorToOpentab(error: LedgerError): OpentabError {
  switch (error.code) {
    case 'insufficient_funds':
      return new OpentabError('insufficient_funds');
    case 'currency_mismatch':
      return new OpentabError('currency_mismatch');
    case 'amount_invalid':
      return new OpentabError('amount_invalid', error.message);
    case 'unknown_account':
      return new OpentabError('unknown_account');
    default:
      return new OpentabError('internal_error', `ledger refused: ${error.message}`);
  }
}
