import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEcbReferenceRates } from './ecb';

// Sources of these files: test-data/README.md.
const daily = readFileSync(new URL('./test-data/ecb-eurofxref-2024-06-28.xml', import.meta.url), 'utf8');
const history = readFileSync(new URL('./test-data/ecb-hist-3d.xml', import.meta.url), 'utf8');

const RATE_ENTRY = /<Cube currency='([A-Z]{3})' rate='([0-9.]+)'\/>/g;
/** The daily file with every rate entry written another way. */
const rewriteEntries = (write: (currency: string, rate: string) => string) =>
  daily.replace(RATE_ENTRY, (_, currency: string, rate: string) => write(currency, rate));
const dailyRates = parseEcbReferenceRates(daily).rates;

describe('the ECB daily file', () => {
  it('reads the file published on 2024-06-28, all 30 currencies', () => {
    const ecb = parseEcbReferenceRates(daily);
    expect(ecb.date).toBe('2024-06-28');
    expect(ecb.base).toBe('EUR');
    expect(Object.keys(ecb.rates)).toHaveLength(30);
    expect(ecb.rates).toMatchObject({ SEK: '11.3595', USD: '1.0705', JPY: '171.94', HUF: '395.10', IDR: '17487.21' });
  });

  it('reads every entry whatever the order of its attributes', () => {
    const reordered = rewriteEntries((currency, rate) => `<Cube rate='${rate}' currency='${currency}'/>`);
    expect(parseEcbReferenceRates(reordered)).toEqual({ date: '2024-06-28', base: 'EUR', rates: dailyRates });
  });

  it('drops no entry written unlike the others', () => {
    const oneOdd = daily.replace(
      "<Cube currency='SEK' rate='11.3595'/>",
      "<Cube rate='11.3595' currency='SEK'></Cube>",
    );
    expect(parseEcbReferenceRates(oneOdd).rates).toEqual(dailyRates);
  });

  it('reads entries closed by an end tag', () => {
    const withEndTags = rewriteEntries(
      (currency, rate) => `<Cube currency="${currency}" rate="${rate}">\n\t\t\t</Cube>`,
    );
    expect(parseEcbReferenceRates(withEndTags).rates).toEqual(dailyRates);
  });

  it('reads entries spaced out, on one line or across lines', () => {
    const spaced = rewriteEntries(
      (currency, rate) => `<Cube\n  currency = "${currency}"\trate= '${rate}'   />`,
    ).replace("<Cube time='2024-06-28'>", '<Cube  time = "2024-06-28" >');
    expect(parseEcbReferenceRates(spaced)).toEqual({ date: '2024-06-28', base: 'EUR', rates: dailyRates });
    const oneLine = daily.replace(/>\s+</g, '><');
    expect(parseEcbReferenceRates(oneLine).rates).toEqual(dailyRates);
  });

  it('reads a byte-order mark, comments and character references', () => {
    const decorated = `\uFEFF${daily}`
      .replace('<Cube>', '<!-- reference rates --><Cube>')
      .replace("rate='1.0705'", "rate='1&#46;0705'");
    expect(parseEcbReferenceRates(decorated).rates).toEqual(dailyRates);
  });
});

describe('an ECB history file', () => {
  it('gives the newest day, with that day’s own rates', () => {
    const ecb = parseEcbReferenceRates(history);
    expect(ecb.date).toBe('2024-06-28');
    expect(ecb.rates).toEqual(dailyRates);
  });

  it('finds the newest day wherever it stands', () => {
    // Rate entries close themselves, so a day ends at the first end tag after it starts.
    const days = history.match(/<Cube time="[^"]+">.*?<\/Cube>/g)!;
    expect(days).toHaveLength(3);
    const oldestFirst = history.replace(days.join('\n'), [...days].reverse().join('\n'));
    expect(oldestFirst).not.toBe(history);
    const ecb = parseEcbReferenceRates(oldestFirst);
    expect(ecb.date).toBe('2024-06-28');
    expect(ecb.rates.SEK).toBe('11.3595');
    expect(ecb.rates.USD).toBe('1.0705');
  });

  it('accepts currencies that no longer exist on the older days only', () => {
    const withKuna = history.replace(
      '<Cube time="2024-06-26">',
      '<Cube time="2024-06-26"><Cube currency="HRK" rate="7.5345"/>',
    );
    expect(parseEcbReferenceRates(withKuna).rates).toEqual(dailyRates);
    const kunaToday = history.replace(
      '<Cube time="2024-06-28">',
      '<Cube time="2024-06-28"><Cube currency="HRK" rate="7.5345"/>',
    );
    expect(() => parseEcbReferenceRates(kunaToday)).toThrow(/2024-06-28 quote HRK, which is not an ISO 4217 currency/);
  });
});

describe('what the reader refuses, naming what and where', () => {
  const refusals: Array<[string, string, RegExp]> = [
    [
      'an entry without a rate',
      daily.replace("<Cube currency='SEK' rate='11.3595'/>", "<Cube currency='SEK'/>"),
      /line 18, column 4: <Cube> has no rate attribute/,
    ],
    [
      'an entry with an attribute of its own',
      daily.replace("rate='11.3595'/>", "rate='11.3595' multiplier='100'/>"),
      /attribute multiplier that is not read here/,
    ],
    [
      'a rate with a comma',
      daily.replace("rate='11.3595'", "rate='11,3595'"),
      /the SEK rate "11,3595" of 2024-06-28 is not a positive decimal/,
    ],
    [
      'a rate of zero',
      daily.replace("rate='11.3595'", "rate='0'"),
      /the SEK rate "0" of 2024-06-28 is not a positive decimal/,
    ],
    ['a negative rate', daily.replace("rate='11.3595'", "rate='-11.3595'"), /not a positive decimal/],
    [
      'a lower-case currency',
      daily.replace("currency='SEK'", "currency='sek'"),
      /currency="sek" of 2024-06-28 is not a three-letter currency code/,
    ],
    [
      'a currency quoted twice',
      daily.replace("<Cube currency='SEK'", "<Cube currency='USD'"),
      /USD is quoted twice on 2024-06-28/,
    ],
    ['the base quoted', daily.replace("currency='SEK'", "currency='EUR'"), /quote EUR, their own base/],
    [
      'a day that is no date',
      daily.replace("time='2024-06-28'", "time='2024-02-30'"),
      /time="2024-02-30" is not a YYYY-MM-DD date/,
    ],
    [
      'a day without rates',
      daily.replace(/<Cube time='2024-06-28'>[\s\S]*?<\/Cube>\s*<\/Cube>/, "<Cube time='2024-06-28'></Cube></Cube>"),
      /the day 2024-06-28 quotes no currency/,
    ],
    ['no day at all', daily.replace(/<Cube>[\s\S]*<\/Cube>/, '<Cube></Cube>'), /no day of rates/],
    ['a day twice', history.replace('time="2024-06-27"', 'time="2024-06-28"'), /the day 2024-06-28 appears twice/],
    [
      'another element among the rates',
      daily.replace("<Cube currency='SEK'", "<Rate currency='SEK'"),
      /<Rate> where a rate .* of 2024-06-28 belongs/,
    ],
    [
      'text among the rates',
      daily.replace("<Cube currency='SEK' rate='11.3595'/>", 'SEK 11.3595'),
      /holds text \("SEK 11\.3595"\)/,
    ],
    [
      'an element inside a rate',
      daily.replace("<Cube currency='SEK' rate='11.3595'/>", "<Cube currency='SEK' rate='11.3595'><note/></Cube>"),
      /<note> inside a rate of 2024-06-28/,
    ],
    [
      'a document that is not the ECB’s',
      '<rates><Cube><Cube time="2024-06-28"><Cube currency="SEK" rate="11"/></Cube></Cube></rates>',
      /the document is <rates>/,
    ],
    [
      'an end tag that closes the wrong element',
      daily.replace('</gesmes:Sender>', '</gesmes:Envelope>'),
      /not well-formed XML: line 6, column 2: <\/gesmes:Envelope> closes <gesmes:Sender> of line 4/,
    ],
    [
      'a file cut short',
      daily.slice(0, daily.indexOf("<Cube currency='SEK'")),
      /not well-formed XML: .*<Cube> is never closed/,
    ],
    [
      'an attribute without quotes',
      daily.replace("rate='11.3595'", 'rate=11.3595'),
      /the value of rate in <Cube> is not quoted/,
    ],
    [
      'an unknown entity',
      daily.replace("currency='SEK'", "currency='&sek;'"),
      /"&sek;" is not a character reference read here/,
    ],
    ['a DOCTYPE', daily.replace('?>\n', '?>\n<!DOCTYPE x [<!ENTITY sek "SEK">]>\n'), /a DOCTYPE is not read here/],
    [
      'an HTML error page',
      '<!doctype html><html><body>Service unavailable</body></html>',
      /not well-formed XML: line 1, column 1/,
    ],
    ['an empty file', '', /no root element/],
  ];
  it.each(refusals)('refuses %s', (_, xml, reason) => {
    expect(() => parseEcbReferenceRates(xml)).toThrow(reason);
  });
});
