// The JSON Schema keywords the primitives state for the API documents (v.metadata) must never
// refuse what their checks accept: they say as much of each check as JSON Schema can.

import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { allCurrencyCodes } from '@opentab/protocol';
import { parseWireAmount } from '@opentab/protocol';
import { parseTimestamp } from '@opentab/protocol';
import { JsonSchemaCatalogue } from './json-schemas';
import {
  Amount,
  CurrencyCode,
  DisplayName,
  PositiveDecimalString,
  SignedAmount,
  Timestamp,
  WebOrigin,
} from '@opentab/protocol';

const catalogue = new JsonSchemaCatalogue({});
type Rule = {
  if: { properties: { currency: { enum: string[] } } };
  then: { properties: { value: { pattern: string } } };
};

/** The value pattern Amount's allOf gives `currency`. */
function valuePatternOf(schema: v.GenericSchema, currency: string): RegExp {
  const rules = (catalogue.of(schema).allOf as Rule[]).filter((rule) =>
    rule.if.properties.currency.enum.includes(currency),
  );
  expect(rules, currency).toHaveLength(1);
  return new RegExp(rules[0]!.then.properties.value.pattern);
}

describe('JSON Schema statements of the primitives', () => {
  it('currency codes: the enum is the list the check accepts', () => {
    expect(new Set(catalogue.of(CurrencyCode).enum as string[])).toEqual(new Set(allCurrencyCodes()));
  });

  it('amounts: per currency, the value pattern takes exactly the decimals the check takes', () => {
    const values = ['0', '7', '12', '0.5', '1.25', '3.125', '4.1250', '5.12345', '0.00', '100.0000'];
    for (const currency of allCurrencyCodes()) {
      const pattern = valuePatternOf(Amount, currency);
      const signed = valuePatternOf(SignedAmount, currency);
      for (const value of values) {
        expect(pattern.test(value), `${value} ${currency}`).toBe(parseWireAmount({ currency, value }).ok);
        expect(signed.test(`-${value}`), `-${value} ${currency}`).toBe(
          v.is(SignedAmount, { currency, value: `-${value}` }),
        );
      }
    }
  });

  it('positive decimals: "not zero" as a pattern', () => {
    const zero = new RegExp((catalogue.of(PositiveDecimalString).not as { pattern: string }).pattern);
    for (const value of ['0', '0.0', '0.000', '0.01', '1', '10.50', '100'])
      expect(!zero.test(value), value).toBe(v.is(PositiveDecimalString, value));
  });

  it('timestamps: what the check accepts matches the pattern', () => {
    const pattern = new RegExp(catalogue.of(Timestamp).pattern as string);
    for (const text of ['2026-11-01T12:00:00Z', '2026-11-01T12:00:00.123+02:00', '2024-02-29T23:59:59-05:30']) {
      expect(parseTimestamp(text)).not.toBeNull();
      expect(pattern.test(text), text).toBe(true);
    }
    expect(pattern.test('2026-11-01 12:00:00Z')).toBe(false);
  });

  it('web origins: every origin the check accepts matches the pattern', () => {
    const pattern = new RegExp(catalogue.of(WebOrigin).pattern as string);
    for (const origin of [
      'https://shop.example',
      'http://127.0.0.1:7103',
      'http://[::1]:8080',
      'https://xn--bcher-kva.example',
    ]) {
      expect(v.is(WebOrigin, origin), origin).toBe(true);
      expect(pattern.test(origin), origin).toBe(true);
    }
  });

  it('shown text: the pattern refuses exactly the control characters and bidirectional marks', () => {
    const formatting = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
    const disagreements: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const text = `a${String.fromCharCode(unit)}b`;
      if (v.is(DisplayName, text) === formatting.test(text)) disagreements.push(unit.toString(16));
    }
    expect(disagreements).toEqual([]);
  });
});
