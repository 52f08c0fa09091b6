// The European Central Bank's reference rates (eurofxref-daily.xml, and the history files
// eurofxref-hist-90d.xml and eurofxref-hist.xml): units of each currency per 1 EUR, one
// <Cube time="YYYY-MM-DD"> per day holding one <Cube currency="..." rate="..."> per currency.
// Read strictly: every day is read in full, attributes in any order, self-closed or with an end
// tag; anything else inside the rates is refused with what and where, never skipped. The newest
// day is the one returned.

import { readXmlDocument, positionOf, XmlSyntaxError, type XmlElement } from './xml';
import { isCurrencyCode } from '@opentab/protocol';
import { parseExactDecimal } from '@opentab/protocol';
import { parseCalendarDate } from '@opentab/protocol';

export interface EcbReferenceRates {
  /** The day the rates are for (the ECB publishes them that afternoon), YYYY-MM-DD. */
  readonly date: string;
  readonly base: 'EUR';
  readonly rates: Readonly<Record<string, string>>;
}

/** A file that is not ECB reference rates, or that holds something the reader does not read. */
export class EcbFormatError extends Error {
  override name = 'EcbFormatError';
}

interface EcbDay {
  readonly date: string;
  readonly rates: Readonly<Record<string, string>>;
  readonly element: XmlElement;
}

const CUBE = 'Cube';
const CURRENCY_SHAPE = /^[A-Z]{3}$/;

export function parseEcbReferenceRates(xml: string): EcbReferenceRates {
  let root: XmlElement;
  try {
    root = readXmlDocument(xml);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new EcbFormatError(`ECB rates: not well-formed XML: ${error.message}`);
    throw error;
  }
  const fail: Fail = (element, reason) => {
    const at = positionOf(xml, element.offset);
    throw new EcbFormatError(`ECB rates: line ${at.line}, column ${at.column}: ${reason}`);
  };

  if (localName(root.name) !== 'Envelope')
    fail(root, `the document is <${root.name}>, not the ECB's <gesmes:Envelope>`);
  const containers = root.children.filter((child) => child.name === CUBE);
  if (containers.length !== 1) fail(root, `expected one <Cube> holding the days, found ${containers.length}`);
  const container = containers[0]!;
  expectAttributes(container, [], fail);
  expectNoText(container, fail);

  const days: EcbDay[] = [];
  const seen = new Set<string>();
  for (const element of container.children) {
    const day = readDay(element, fail);
    if (seen.has(day.date)) fail(element, `the day ${day.date} appears twice`);
    seen.add(day.date);
    days.push(day);
  }
  if (days.length === 0) fail(container, 'no day of rates (<Cube time="YYYY-MM-DD">)');

  const newest = days.reduce((latest, day) => (day.date > latest.date ? day : latest));
  // Only the day that is used must quote currencies this code knows: history files carry
  // currencies that no longer exist (HRK, LTL, ...) on their older days.
  for (const currency of Object.keys(newest.rates)) {
    if (!isCurrencyCode(currency))
      fail(
        newest.element,
        `the rates of ${newest.date} quote ${currency}, which is not an ISO 4217 currency known here`,
      );
  }
  return { date: newest.date, base: 'EUR', rates: newest.rates };
}

type Fail = (element: XmlElement, reason: string) => never;

function readDay(element: XmlElement, fail: Fail): EcbDay {
  if (element.name !== CUBE) fail(element, `<${element.name}> where a day (<Cube time="YYYY-MM-DD">) belongs`);
  expectAttributes(element, ['time'], fail);
  expectNoText(element, fail);
  const date = element.attributes.get('time')!;
  if (parseCalendarDate(date) === null) fail(element, `time="${date}" is not a YYYY-MM-DD date`);
  const rates: Record<string, string> = {};
  for (const entry of element.children) {
    if (entry.name !== CUBE)
      fail(entry, `<${entry.name}> where a rate (<Cube currency="..." rate="...">) of ${date} belongs`);
    expectAttributes(entry, ['currency', 'rate'], fail);
    expectNoText(entry, fail);
    if (entry.children.length > 0) fail(entry.children[0]!, `<${entry.children[0]!.name}> inside a rate of ${date}`);
    const currency = entry.attributes.get('currency')!;
    const rate = entry.attributes.get('rate')!;
    if (!CURRENCY_SHAPE.test(currency))
      fail(entry, `currency="${currency}" of ${date} is not a three-letter currency code`);
    if (currency === 'EUR') fail(entry, `the rates of ${date} quote EUR, their own base`);
    if ((parseExactDecimal(rate)?.digits ?? 0n) === 0n)
      fail(entry, `the ${currency} rate "${rate}" of ${date} is not a positive decimal`);
    if (Object.hasOwn(rates, currency)) fail(entry, `${currency} is quoted twice on ${date}`);
    rates[currency] = rate;
  }
  if (Object.keys(rates).length === 0) fail(element, `the day ${date} quotes no currency`);
  return { date, rates, element };
}

/** Exactly these attributes, in any order; namespace declarations aside. */
function expectAttributes(element: XmlElement, names: readonly string[], fail: Fail): void {
  for (const name of names) {
    if (!element.attributes.has(name)) fail(element, `<${element.name}> has no ${name} attribute`);
  }
  for (const name of element.attributes.keys()) {
    if (!names.includes(name) && name !== 'xmlns' && !name.startsWith('xmlns:'))
      fail(element, `<${element.name}> has an attribute ${name} that is not read here`);
  }
}

function expectNoText(element: XmlElement, fail: Fail): void {
  if (element.text.trim() !== '')
    fail(element, `<${element.name}> holds text ("${element.text.trim().slice(0, 40)}") that is not read here`);
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}
