// The currency and country codes the API accepts: the ISO 4217 codes in current use, each with its minor unit
// (money.ts takes its exponents from here, so every accepted currency has a known one), and the 249 ISO 3166-1
// alpha-2 codes. Request schemas name them with the formats below (schema-helpers.ts); the REST validators and the
// GraphQL argument checks enforce those formats with isCurrencyCode / isCountryCode (http/validation.ts).
//
// Currencies left out on purpose: withdrawn ones (ANG, BGN, CUC, HRK, SLL, ZWL and older), fund codes and units
// of account (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW, XDR, XSU, XUA), precious metals and the X codes without
// a minor unit (XAG, XAU, XBA–XBD, XPD, XPT, XTS, XXX), and VED, which the platform's Intl data does not know yet.
// The list is checked against Intl in iso-codes.test.ts. Minor units are ISO 4217's (IQD 3, HUF 2), not CLDR's
// display digits.

/** JSON Schema `format` of an ISO 4217 currency code the API accepts. */
export const CURRENCY_FORMAT = 'iso-4217';
/** JSON Schema `format` of an assigned ISO 3166-1 alpha-2 country code. */
export const COUNTRY_FORMAT = 'iso-3166-1-alpha-2';

const codes = (text: string): string[] => text.trim().split(/\s+/);

const ZERO_DECIMALS = codes('BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF');
const THREE_DECIMALS = codes('BHD IQD JOD KWD LYD OMR TND');
const TWO_DECIMALS = codes(`
  AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BRL BSD BTN BWP BYN BZD
  CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD
  HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL
  MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR
  RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS
  UAH USD UYU UZS VES WST XCD XCG YER ZAR ZMW ZWG
`);

/** Minor-unit exponent of every accepted ISO 4217 currency (EUR 2: 4999 = 49.99). */
export const CURRENCY_MINOR_UNITS: ReadonlyMap<string, number> = new Map([
  ...ZERO_DECIMALS.map((c) => [c, 0] as const),
  ...TWO_DECIMALS.map((c) => [c, 2] as const),
  ...THREE_DECIMALS.map((c) => [c, 3] as const),
]);

/** The 249 ISO 3166-1 alpha-2 codes (officially assigned, including territories such as AQ, BV, UM). */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  codes(`
  AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
  CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET
  FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU
  ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
  MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM
  PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
  SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
  UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
`),
);

/** True for an accepted ISO 4217 currency code, upper case (`EUR`; not `eur`, not `ZZZ`, not withdrawn `HRK`). */
export function isCurrencyCode(code: string): boolean {
  return CURRENCY_MINOR_UNITS.has(code);
}

/** True for an assigned ISO 3166-1 alpha-2 code, upper case (`DE`; not `de`, not `ZZ`, not the reserved `UK`). */
export function isCountryCode(code: string): boolean {
  return COUNTRY_CODES.has(code);
}

/**
 * The format checks, by format name, for JSON Schema validators. They ignore letter case: a schema's `pattern` says
 * which case it takes (most take upper case only; a customer's address book also takes `de` and stores `DE`).
 */
export const ISO_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  [CURRENCY_FORMAT]: (value) => isCurrencyCode(value.toUpperCase()),
  [COUNTRY_FORMAT]: (value) => isCountryCode(value.toUpperCase()),
};
