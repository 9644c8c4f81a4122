/**
 * Money is stored and computed as integer minor units (cents, fils, yen...)
 * paired with an ISO 4217 code. Decimal strings are the only exchange format
 * with the outside world; conversions here never go through binary floats.
 */
import { AppError } from '../errors.ts';

/**
 * Minor-unit exponent of every active ISO 4217 code, from the ISO 4217
 * maintenance agency's list one ("CcyMnrUnts"), deliberately NOT from Intl:
 * CLDR (which Intl uses) gives display digits, which differ for HUF, IDR,
 * IQD, LBP, ALL, IRR, RSD, ... Codes with no minor unit ("N.A.": precious
 * metals, XDR, XSU, XUA, bond-market units XBA-XBD, XTS, XXX) are excluded
 * because an amount in them cannot be expressed in integer minor units.
 */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
  AED: 2,
  AFN: 2,
  ALL: 2,
  AMD: 2,
  AOA: 2,
  ARS: 2,
  AUD: 2,
  AWG: 2,
  AZN: 2,
  BAM: 2,
  BBD: 2,
  BDT: 2,
  BHD: 3,
  BIF: 0,
  BMD: 2,
  BND: 2,
  BOB: 2,
  BOV: 2,
  BRL: 2,
  BSD: 2,
  BTN: 2,
  BWP: 2,
  BYN: 2,
  BZD: 2,
  CAD: 2,
  CDF: 2,
  CHE: 2,
  CHF: 2,
  CHW: 2,
  CLF: 4,
  CLP: 0,
  CNY: 2,
  COP: 2,
  COU: 2,
  CRC: 2,
  CUC: 2,
  CUP: 2,
  CVE: 2,
  CZK: 2,
  DJF: 0,
  DKK: 2,
  DOP: 2,
  DZD: 2,
  EGP: 2,
  ERN: 2,
  ETB: 2,
  EUR: 2,
  FJD: 2,
  FKP: 2,
  GBP: 2,
  GEL: 2,
  GHS: 2,
  GIP: 2,
  GMD: 2,
  GNF: 0,
  GTQ: 2,
  GYD: 2,
  HKD: 2,
  HNL: 2,
  HTG: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  IQD: 3,
  IRR: 2,
  ISK: 0,
  JMD: 2,
  JOD: 3,
  JPY: 0,
  KES: 2,
  KGS: 2,
  KHR: 2,
  KMF: 0,
  KPW: 2,
  KRW: 0,
  KWD: 3,
  KYD: 2,
  KZT: 2,
  LAK: 2,
  LBP: 2,
  LKR: 2,
  LRD: 2,
  LSL: 2,
  LYD: 3,
  MAD: 2,
  MDL: 2,
  MGA: 2,
  MKD: 2,
  MMK: 2,
  MNT: 2,
  MOP: 2,
  MRU: 2,
  MUR: 2,
  MVR: 2,
  MWK: 2,
  MXN: 2,
  MXV: 2,
  MYR: 2,
  MZN: 2,
  NAD: 2,
  NGN: 2,
  NIO: 2,
  NOK: 2,
  NPR: 2,
  NZD: 2,
  OMR: 3,
  PAB: 2,
  PEN: 2,
  PGK: 2,
  PHP: 2,
  PKR: 2,
  PLN: 2,
  PYG: 0,
  QAR: 2,
  RON: 2,
  RSD: 2,
  RUB: 2,
  RWF: 0,
  SAR: 2,
  SBD: 2,
  SCR: 2,
  SDG: 2,
  SEK: 2,
  SGD: 2,
  SHP: 2,
  SLE: 2,
  SOS: 2,
  SRD: 2,
  SSP: 2,
  STN: 2,
  SVC: 2,
  SYP: 2,
  SZL: 2,
  THB: 2,
  TJS: 2,
  TMT: 2,
  TND: 3,
  TOP: 2,
  TRY: 2,
  TTD: 2,
  TWD: 2,
  TZS: 2,
  UAH: 2,
  UGX: 0,
  USD: 2,
  USN: 2,
  UYI: 0,
  UYU: 2,
  UYW: 4,
  UZS: 2,
  VED: 2,
  VES: 2,
  VND: 0,
  VUV: 0,
  WST: 2,
  XAF: 0,
  XCD: 2,
  XCG: 2,
  XOF: 0,
  XPF: 0,
  YER: 2,
  ZAR: 2,
  ZMW: 2,
  ZWG: 2,
  // Replaced by XCG (2025) and EUR (Bulgaria, 2026) respectively, but kept:
  // a dunning service keeps chasing invoices issued before the changeover.
  ANG: 2,
  BGN: 2,
});

/**
 * Largest absolute amount accepted, in minor units (1e14, i.e. one trillion
 * in a 2-decimal currency). Far below Number.MAX_SAFE_INTEGER (~9.007e15), so
 * sums of a few thousand such amounts stay exact.
 */
export const MAX_AMOUNT_MINOR = 100_000_000_000_000;

const CODE_RE = /^[A-Z]{3}$/;
const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Quotes client input for an error detail, cut short so a huge value is not echoed back whole. */
const quote = (s: string): string => `'${s.length > 40 ? `${s.slice(0, 40)}…` : s}'`;

/** True if `code` is an upper-case ISO 4217 code listed in {@link CURRENCY_EXPONENTS}. */
export function isCurrency(code: string): boolean {
  return CODE_RE.test(code) && Object.hasOwn(CURRENCY_EXPONENTS, code);
}

/**
 * Number of decimal digits of the currency's minor unit (EUR 2, JPY 0, KWD 3, CLF 4).
 * @throws AppError `money/unknown_currency` (422) if `code` is not a known currency.
 */
export function currencyExponent(code: string): number {
  const exponent = isCurrency(code) ? CURRENCY_EXPONENTS[code] : undefined;
  if (exponent === undefined) {
    throw new AppError('money/unknown_currency', 422, `${quote(code)} is not a supported ISO 4217 currency code.`);
  }
  return exponent;
}

/**
 * Converts a plain decimal string (`-?digits[.digits]`, no grouping, no
 * exponent) into integer minor units, exactly. Extra decimals are accepted
 * only when they are zeros ("12.300" EUR is 1230).
 * @throws AppError `money/unknown_currency`, `money/invalid_amount` (malformed,
 *   or more than {@link MAX_AMOUNT_MINOR} in absolute value) or
 *   `money/too_many_decimals`, all 422.
 */
export function parseDecimalAmount(value: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const match = DECIMAL_RE.exec(value);
  if (!match) {
    throw new AppError('money/invalid_amount', 422, `${quote(value)} is not a decimal amount such as "1234.50".`);
  }
  const [, sign, whole = '', fraction = ''] = match;
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new AppError(
      'money/too_many_decimals',
      422,
      `${currency} amounts have at most ${exponent} decimal${exponent === 1 ? '' : 's'}; got ${quote(value)}.`,
    );
  }
  const digits = (whole + fraction.slice(0, exponent).padEnd(exponent, '0')).replace(/^0+/, '');
  // 16 digits or more is always above the bound; shorter strings convert exactly.
  const magnitude = digits.length > 15 ? Infinity : Number(digits);
  if (magnitude > MAX_AMOUNT_MINOR) {
    throw new AppError(
      'money/invalid_amount',
      422,
      `${quote(value)} ${currency} exceeds the largest supported amount.`,
    );
  }
  return sign === '-' && magnitude !== 0 ? -magnitude : magnitude;
}

/**
 * Exact inverse of {@link parseDecimalAmount}: 1230 EUR → "12.30",
 * 1230 JPY → "1230", 1230 KWD → "1.230", -5 EUR → "-0.05".
 * @throws AppError `money/invalid_amount` if `minor` is not a safe integer,
 *   `money/unknown_currency` for an unknown currency.
 */
export function toDecimalString(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (!Number.isSafeInteger(minor)) {
    throw new AppError('money/invalid_amount', 422, `${minor} is not an integer amount of minor units.`);
  }
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  const cut = digits.length - exponent;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

// Bounded: locales come from API input, and private-use tags are unlimited.
const FORMATTER_CACHE_SIZE = 256;
const formatters = new Map<string, Intl.NumberFormat>();

/**
 * Localised currency display, always with exactly the ISO exponent's number of
 * decimals (even where CLDR shows fewer, e.g. HUF, or none, e.g. IQD).
 * Formats the exact decimal string, never a float of it.
 * e.g. `formatMoney(123456, 'EUR', 'fr-FR')` → "1 234,56 €" (U+202F, U+00A0).
 * @throws RangeError for a malformed locale tag; AppError as {@link toDecimalString}.
 */
export function formatMoney(minor: number, currency: string, locale: string): string {
  const decimal = toDecimalString(minor, currency);
  const key = `${locale}\u0000${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const digits = currencyExponent(currency);
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    if (formatters.size >= FORMATTER_CACHE_SIZE) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter.format(decimal as Intl.StringNumericLiteral);
}
