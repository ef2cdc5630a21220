import { describe, expect, it } from 'vitest';
import {
  COUNTRY_CODES,
  COUNTRY_FORMAT,
  CURRENCY_FORMAT,
  CURRENCY_MINOR_UNITS,
  ISO_FORMATS,
  isCountryCode,
  isCurrencyCode,
} from './iso-codes.ts';
import { currencyExponent, parseMajorUnits } from './money.ts';

describe('ISO 4217 and ISO 3166-1 lists [REQ-KER-032]', () => {
  it('[REQ-KER-032] every listed currency is known to Intl, once, with a minor unit of 0, 2 or 3 that money uses', () => {
    const intl = new Set(Intl.supportedValuesOf('currency'));
    const codes = [...CURRENCY_MINOR_UNITS.keys()];
    expect(codes.filter((c) => !intl.has(c))).toEqual([]);
    expect(codes.filter((c) => !/^[A-Z]{3}$/.test(c))).toEqual([]);
    expect(codes.length).toBe(154);
    for (const [code, exponent] of CURRENCY_MINOR_UNITS) {
      expect([0, 2, 3]).toContain(exponent);
      expect(currencyExponent(code)).toBe(exponent);
    }
    expect([currencyExponent('JPY'), currencyExponent('EUR'), currencyExponent('KWD')]).toEqual([0, 2, 3]);
    // ISO 4217's minor units, not CLDR's display digits (Intl shows HUF and IQD without decimals).
    expect([currencyExponent('HUF'), currencyExponent('IQD'), currencyExponent('ISK')]).toEqual([2, 3, 0]);
    expect(parseMajorUnits('1.234', 'BHD')).toBe(1234);
  });

  it('[REQ-KER-032] withdrawn, fund, metal and made-up currency codes are not accepted', () => {
    for (const code of [
      'ZZZ',
      'HRK',
      'BGN',
      'ANG',
      'CUC',
      'SLL',
      'ZWL',
      'DEM',
      'XAU',
      'XTS',
      'XXX',
      'XDR',
      'UYI',
      'eur',
    ]) {
      expect(isCurrencyCode(code), code).toBe(false);
    }
    for (const code of ['EUR', 'USD', 'GBP', 'SEK', 'JPY', 'CHF', 'XCG', 'ZWG', 'SLE', 'VES', 'XAF', 'XPF']) {
      expect(isCurrencyCode(code), code).toBe(true);
    }
  });

  it('[REQ-KER-032] the 249 country codes each have an English name in Intl; reserved and made-up ones are refused', () => {
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    expect(COUNTRY_CODES.size).toBe(249);
    const unnamed = [...COUNTRY_CODES].filter((c) => !/^[A-Z]{2}$/.test(c) || (names.of(c) ?? c) === c);
    expect(unnamed).toEqual([]);
    for (const code of ['ZZ', 'UK', 'EU', 'XK', 'AN', 'YU', 'QO', 'de']) expect(isCountryCode(code), code).toBe(false);
    for (const code of ['DE', 'GB', 'US', 'AX', 'SS', 'BQ', 'AQ', 'UM']) expect(isCountryCode(code), code).toBe(true);
  });

  it('[REQ-KER-032] the format checks leave letter case to the schema pattern', () => {
    const currency = ISO_FORMATS[CURRENCY_FORMAT];
    const country = ISO_FORMATS[COUNTRY_FORMAT];
    expect([currency?.('EUR'), currency?.('eur'), currency?.('ZZZ')]).toEqual([true, true, false]);
    expect([country?.('DE'), country?.('de'), country?.('ZZ')]).toEqual([true, true, false]);
  });
});
