// ISO 4217 currencies with their minor-unit exponents, from the ISO table (as published in the
// `currency-codes` package; a test checks this copy against it). We keep our own compact copy so
// the browser bundles stay small and the exponent never depends on a browser's Intl data.
// Codes whose minor unit ISO lists as "N.A." (precious metals, testing codes) are left out:
// they cannot be paid with.

const CODES_BY_EXPONENT: Record<number, string> = {
  0: ['BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'].join(' '),
  2: [
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD',
    'BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD',
    'EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR',
    'IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP',
    'MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN',
    'QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB',
    'TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD YER ZAR ZMW ZWG',
  ].join(' '),
  3: ['BHD IQD JOD KWD LYD OMR TND'].join(' '),
  4: ['CLF UYW'].join(' '),
};

const EXPONENTS: ReadonlyMap<string, number> = new Map(
  Object.entries(CODES_BY_EXPONENT).flatMap(([exponent, codes]) =>
    codes.split(' ').map((code) => [code, Number(exponent)] as const),
  ),
);

export function isCurrencyCode(code: unknown): code is string {
  return typeof code === 'string' && EXPONENTS.has(code);
}

/** Number of decimal places of the currency's minor unit (EUR 2, JPY 0, KWD 3). */
export function currencyExponent(code: string): number {
  const exponent = EXPONENTS.get(code);
  if (exponent === undefined) throw new RangeError(`unknown ISO 4217 currency: ${code}`);
  return exponent;
}

export function allCurrencyCodes(): string[] {
  return [...EXPONENTS.keys()];
}

/** The codes of each minor-unit exponent: [exponent, codes] from 0 decimals up. */
export function currencyCodesByExponent(): Array<[number, string[]]> {
  return Object.entries(CODES_BY_EXPONENT).map(([exponent, codes]) => [Number(exponent), codes.split(' ')]);
}
