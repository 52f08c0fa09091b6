import { describe, expect, it } from 'vitest';
import { bytesToHex } from './bytes';
import { canonicalJson, canonicalJsonBytes } from './canonical-json';

// RFC 8785 §3.2.2 (sample input) and §3.2.3 (property sorting by UTF-16 code units).
const RFC8785_SAMPLE_INPUT = String.raw`{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`;
const RFC8785_SAMPLE_OUTPUT = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
const RFC8785_SORTING_INPUT = String.raw`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`;

describe('canonical JSON (RFC 8785)', () => {
  it('serialises the RFC sample exactly', () => {
    expect(canonicalJson(JSON.parse(RFC8785_SAMPLE_INPUT))).toBe(RFC8785_SAMPLE_OUTPUT);
  });

  it('encodes the canonical text as UTF-8 (the euro sign is e2 82 ac)', () => {
    const hex = bytesToHex(canonicalJsonBytes(JSON.parse(RFC8785_SAMPLE_INPUT)));
    expect(hex).toBe(bytesToHex(new TextEncoder().encode(RFC8785_SAMPLE_OUTPUT)));
    expect(hex).toContain('22e282ac245c75303030665c6e');
  });

  it('sorts properties by UTF-16 code units as in the RFC example', () => {
    // Object.keys would reorder "1" (an array index), so read the order off the text itself.
    const text = canonicalJson(JSON.parse(RFC8785_SORTING_INPUT));
    const order = ['Carriage Return', 'One', 'Control', 'Latin Small', 'Euro Sign', 'Emoji', 'Hebrew'].map((name) =>
      text.indexOf(name),
    );
    expect(order.every((position) => position > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text.startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö"')).toBe(true);
  });

  it('is independent of property insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, 2] }, b: 1 }));
  });
});
