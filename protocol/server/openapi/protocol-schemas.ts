// The named building blocks of every message (amounts, ids, keys, certificates): components of
// the API documents, referenced wherever a message uses them.

import { certificateSchemas, primitiveSchemas, secureAddressSchemas } from '@opentab/protocol';
import { JsonSchemaCatalogue, schemasOf } from './json-schemas';

export function protocolSchemaCatalogue(): JsonSchemaCatalogue {
  return new JsonSchemaCatalogue({
    ...schemasOf(primitiveSchemas),
    ...schemasOf(secureAddressSchemas),
    ...schemasOf(certificateSchemas),
  });
}
