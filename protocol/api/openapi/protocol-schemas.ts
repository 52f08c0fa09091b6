// The named building blocks of every message (amounts, ids, keys, certificates): components of
// the API documents, referenced wherever a message uses them.

import * as certificates from '../../messages/certificates';
import * as primitives from '../../messages/primitives';
import * as secureAddresses from '../../messages/secure-address';
import { JsonSchemaCatalogue, schemasOf } from './json-schemas';

export function protocolSchemaCatalogue(): JsonSchemaCatalogue {
  return new JsonSchemaCatalogue({ ...schemasOf(primitives), ...schemasOf(secureAddresses), ...schemasOf(certificates) });
}
