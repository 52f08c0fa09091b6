// JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it) of the valibot schemas the servers validate
// with. Nothing is dropped silently: every check JSON Schema can state is converted (lengths,
// patterns, bounds), a check only code can make is described in words (its message joins the
// `description`), and anything else the converter cannot express fails the conversion.
// Named schemas (primitives, certificates) become components referenced by $ref.

import { toJsonSchema, toJsonSchemaDefs, type ConversionConfig } from '@valibot/to-json-schema';
import type * as v from 'valibot';

export type JsonSchema = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';

/** Valibot's own validation actions whose rule lives in code, not in a JSON Schema keyword. */
const CODE_CHECKS: ReadonlySet<string> = new Set(['check', 'partial_check', 'raw_check']);

function withRule(jsonSchema: JsonSchema, rule: string): JsonSchema {
  const described = typeof jsonSchema.description === 'string' ? `${jsonSchema.description}; ${rule}` : rule;
  return { ...jsonSchema, description: described };
}

/** Whether `value` is a valibot schema (an export of a message module can also be a helper function). */
export function isValibotSchema(value: unknown): value is v.GenericSchema {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'schema';
}

/** The valibot schemas among a module's exports, by export name: the components a document may reference. */
export function schemasOf(module: Readonly<Record<string, unknown>>): Record<string, v.GenericSchema> {
  return Object.fromEntries(
    Object.entries(module).filter((entry): entry is [string, v.GenericSchema] => isValibotSchema(entry[1])),
  );
}

export class JsonSchemaCatalogue {
  private readonly config: ConversionConfig;

  constructor(private readonly named: Readonly<Record<string, v.GenericSchema>>) {
    this.config = {
      target: 'draft-2020-12',
      // A conversion problem is a defect of the document: it fails loudly instead of losing a check.
      errorMode: 'throw',
      definitions: { ...named },
      overrideRef: ({ referenceId }) => `${COMPONENT_PREFIX}${referenceId}`,
      overrideAction: ({ valibotAction, jsonSchema }) => {
        if (!CODE_CHECKS.has(valibotAction.type)) return undefined;
        // A message worded per input states its rule in general beside it (primitives.ts, describedRule).
        const { message: worded, rule } = valibotAction as { message?: unknown; rule?: unknown };
        const message = typeof rule === 'string' ? rule : worded;
        if (typeof message !== 'string')
          throw new Error(`a ${valibotAction.type} action without a message cannot be described in the API document`);
        return withRule(jsonSchema as JsonSchema, message);
      },
    };
  }

  /** The JSON Schema of `schema`, with named schemas as $refs into components. */
  of(schema: v.GenericSchema): JsonSchema {
    const { $schema: _dialect, $defs: _definitions, ...json } = toJsonSchema(schema, this.config) as JsonSchema;
    return json;
  }

  /** The named schemas that `document` refers to, directly or through one another; `defined` are components it brings itself. */
  componentsFor(document: unknown, defined: Readonly<Record<string, JsonSchema>> = {}): Record<string, JsonSchema> {
    const { definitions: _named, ...config } = this.config;
    const all = toJsonSchemaDefs(this.named, config) as Record<string, JsonSchema>;
    const used: Record<string, JsonSchema> = {};
    const pending = referencedNames(document);
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (name in used || name in defined) continue;
      const schema = all[name];
      if (schema === undefined) throw new Error(`the API document refers to an unknown schema ${name}`);
      used[name] = schema;
      pending.push(...referencedNames(schema));
    }
    const components = { ...defined, ...used };
    return Object.fromEntries(
      Object.keys(components)
        .sort()
        .map((name) => [name, components[name]!]),
    );
  }
}

function referencedNames(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap(referencedNames);
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' && item.startsWith(COMPONENT_PREFIX)
      ? [item.slice(COMPONENT_PREFIX.length)]
      : referencedNames(item),
  );
}
