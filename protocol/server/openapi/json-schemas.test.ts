import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { JsonSchemaCatalogue } from './json-schemas';

const Code = v.pipe(
  v.string(),
  v.regex(/^[A-Z]{3}$/, 'must be three capitals'),
  v.check((text) => text !== 'XXX', 'must not be XXX'),
);
const Pair = v.strictObject({ code: Code, count: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(9)) });

describe('JSON Schema of valibot schemas', () => {
  it('converts what JSON Schema can state and describes a check in its own words', () => {
    const schema = new JsonSchemaCatalogue({}).of(Pair);
    expect(schema).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['code', 'count'],
      properties: {
        code: { type: 'string', pattern: '^[A-Z]{3}$', description: 'must not be XXX' },
        count: { type: 'integer', minimum: 1, maximum: 9 },
      },
    });
  });

  it('joins several rules in words, after a description the schema gives itself', () => {
    const schema = v.pipe(
      v.string(),
      v.description('A name.'),
      v.check((text) => text.trim() === text, 'must not start or end with a space'),
      v.check((text) => text !== '', 'must not be empty'),
    );
    expect(new JsonSchemaCatalogue({}).of(schema).description).toBe(
      'A name.; must not start or end with a space; must not be empty',
    );
  });

  it('refuses to lose a rule it can neither convert nor describe', () => {
    const catalogue = new JsonSchemaCatalogue({});
    expect(() =>
      catalogue.of(
        v.pipe(
          v.string(),
          v.check((text) => text.length > 1),
        ),
      ),
    ).toThrow(/without a message/);
    expect(() => catalogue.of(v.pipe(v.string(), v.regex(/^a$/i, 'must be a')))).toThrow(/flags/);
    expect(() => catalogue.of(v.bigint())).toThrow(/bigint/);
  });

  it('refers to named schemas, and brings along exactly those a document uses, with theirs', () => {
    const Unused = v.boolean();
    const catalogue = new JsonSchemaCatalogue({ Code, Pair, Unused });
    const document = { body: catalogue.of(v.strictObject({ pair: Pair })) };
    expect(document.body).toMatchObject({ properties: { pair: { $ref: '#/components/schemas/Pair' } } });
    const components = catalogue.componentsFor(document, { Error: { type: 'object' } });
    expect(Object.keys(components)).toEqual(['Code', 'Error', 'Pair']);
    expect(components.Pair).toMatchObject({ properties: { code: { $ref: '#/components/schemas/Code' } } });
  });
});
