/**
 * Late fees: a fixed recovery fee once per invoice, and simple interest per day late on the
 * principal actually outstanding that day. Pure rules, exact integer arithmetic (BigInt on
 * minor units × basis points × days), one half-up rounding per accrual. See docs/late-fees.md
 * for the legal sources of each preset.
 */
import { AppError } from '../../errors.ts';
import { addDays, compareDates, daysBetween } from '../calendar.ts';

export const LATE_FEE_PRESETS = ['none', 'fr_b2b', 'eu_b2b', 'uk_b2b', 'de_b2b', 'ie_b2b'] as const;
export type LateFeePreset = (typeof LATE_FEE_PRESETS)[number];

export const REFERENCE_SOURCES = ['ecb_mro', 'boe_base', 'bundesbank_base'] as const;
export type ReferenceSource = (typeof REFERENCE_SOURCES)[number];

/** A central-bank rate and the day it took effect. Rates are basis points: 215 = 2.15 %. */
export interface ReferenceRate {
  source: ReferenceSource;
  effective_on: string;
  rate_bps: number;
}

/** Principal outstanding (minor units) on every day from `from` to `to`, both included. */
export interface BalanceSegment {
  from: string;
  to: string;
  balance: number;
}

/** One run of days at one balance and one rate, as it entered the computation. */
export interface InterestPiece {
  from: string;
  to: string;
  days: number;
  balance: number;
  rate_bps: number;
}

export interface InterestInput {
  /** Principal outstanding per day; a day no segment covers counts as nothing owed. */
  balances: readonly BalanceSegment[];
  dueDate: string;
  /** Last day counted (included): interest runs from the day after the due date to this day. */
  asOf: string;
  /**
   * Annual rate in basis points for a day late. Called once per piece; pieces are split at
   * every 1 January and 1 July, so a rate that follows the half-year (FR/EU/DE) is exact.
   */
  annualRateFor?: (day: string) => number;
  /** Annual rate in basis points for every day (UK: fixed for the debt's life). */
  fixedRate?: number;
  /** Days per year of the pro rata: 365, every year (no leap-year variant). */
  dayCount?: 365;
  /** Days after the due date that are tolerated: interest starts the day after due date + grace. */
  graceDays?: number;
  /** Most interest this invoice may ever carry, in minor units (null: no cap). */
  cap?: number | null;
}

export interface InterestResult {
  /** Interest owed from the start to `asOf`, rounded half-up once, capped. */
  amount: number;
  /** Before the cap. */
  uncapped: number;
  capped: boolean;
  pieces: InterestPiece[];
}

const BPS = 10_000n;

const halfYearStart = (day: string): string => `${day.slice(0, 4)}-${Number(day.slice(5, 7)) <= 6 ? '01' : '07'}-01`;
const halfYearEnd = (day: string): string => `${day.slice(0, 4)}-${Number(day.slice(5, 7)) <= 6 ? '06-30' : '12-31'}`;
const minDate = (a: string, b: string) => (compareDates(a, b) <= 0 ? a : b);
const maxDate = (a: string, b: string) => (compareDates(a, b) >= 0 ? a : b);

/** `numerator / denominator` rounded half-up (both non-negative). */
const divideHalfUp = (numerator: bigint, denominator: bigint): bigint =>
  (2n * numerator + denominator) / (2n * denominator);

/** First day on which interest counts: the day after the due date, later by the grace days. */
export function firstInterestDay(dueDate: string, graceDays = 0): string {
  return addDays(dueDate, 1 + graceDays);
}

/**
 * Simple interest owed on an overdue invoice up to `asOf`: Σ balance × rate × days / (365 ×
 * 10 000) over runs of days at the same balance and rate, computed exactly and rounded half-up
 * to the minor unit once at the end (never per day, never compounded), then capped.
 */
export function interestFor(input: InterestInput): InterestResult {
  const { annualRateFor, fixedRate } = input;
  if ((annualRateFor === undefined) === (fixedRate === undefined)) {
    throw new TypeError('interestFor needs exactly one of annualRateFor or fixedRate');
  }
  const rateOf = (day: string): number => {
    const rate = fixedRate ?? annualRateFor?.(day) ?? 0;
    if (!Number.isSafeInteger(rate) || rate < 0)
      throw new RangeError(`annual rate must be whole basis points ≥ 0, got ${rate}`);
    return rate;
  };
  const dayCount = BigInt(input.dayCount ?? 365);
  const start = firstInterestDay(input.dueDate, input.graceDays ?? 0);
  const pieces: InterestPiece[] = [];
  let numerator = 0n;
  if (compareDates(start, input.asOf) <= 0) {
    const segments = [...input.balances].sort((a, b) => compareDates(a.from, b.from));
    for (const segment of segments) {
      if (!Number.isSafeInteger(segment.balance))
        throw new RangeError(`balance must be an integer, got ${segment.balance}`);
      if (segment.balance <= 0) continue;
      let from = maxDate(segment.from, start);
      const to = minDate(segment.to, input.asOf);
      while (compareDates(from, to) <= 0) {
        const pieceEnd = minDate(halfYearEnd(from), to);
        const days = daysBetween(from, pieceEnd) + 1;
        const rate = rateOf(from);
        pieces.push({ from, to: pieceEnd, days, balance: segment.balance, rate_bps: rate });
        numerator += BigInt(segment.balance) * BigInt(rate) * BigInt(days);
        from = addDays(pieceEnd, 1);
      }
    }
  }
  const uncapped = Number(divideHalfUp(numerator, dayCount * BPS));
  const cap = input.cap ?? null;
  const capped = cap !== null && uncapped > cap;
  return { amount: capped ? cap : uncapped, uncapped, capped, pieces };
}

/** The reference rate of `source` in force on `date`: the latest one effective on or before it. */
export function rateInForce(rates: readonly ReferenceRate[], source: ReferenceSource, date: string): number {
  let best: ReferenceRate | undefined;
  for (const rate of rates) {
    if (rate.source !== source || compareDates(rate.effective_on, date) > 0) continue;
    if (!best || compareDates(rate.effective_on, best.effective_on) > 0) best = rate;
  }
  if (!best) {
    throw new AppError(
      'late_fee/reference_rate_missing',
      422,
      `No ${source} reference rate is known in force on ${date}.`,
    );
  }
  return best.rate_bps;
}

/**
 * The UK reference date for a debt first overdue on `firstDayLate`: 31 December for a debt
 * becoming overdue from 1 January to 30 June, 30 June for one from 1 July to 31 December
 * (Late Payment of Commercial Debts (Rate of Interest) (No. 3) Order 2002).
 */
export function ukReferenceDate(firstDayLate: string): string {
  const year = Number(firstDayLate.slice(0, 4));
  return Number(firstDayLate.slice(5, 7)) <= 6 ? `${year - 1}-12-31` : `${year}-06-30`;
}

/**
 * What each statutory rate is made of: a central bank's reference rate plus a margin (FR art.
 * L441-10 Code de commerce: ECB + 10 points; EU Directive 2011/7/EU art. 2(6): ECB + 8; UK Late
 * Payment Act 1998, SI 2002/1675: base rate + 8; DE §288 Abs. 2 BGB: Basiszinssatz + 9; IE
 * S.I. No. 580 of 2012: ECB + 8). The
 * rate below and the fee lines' wording (letters, emails) both read it.
 */
export const PRESET_REFERENCE = {
  fr_b2b: { source: 'ecb_mro', margin_bps: 1000 },
  eu_b2b: { source: 'ecb_mro', margin_bps: 800 },
  uk_b2b: { source: 'boe_base', margin_bps: 800 },
  de_b2b: { source: 'bundesbank_base', margin_bps: 900 },
  ie_b2b: { source: 'ecb_mro', margin_bps: 800 },
} as const satisfies Record<string, { source: ReferenceSource; margin_bps: number }>;

const MARGIN_BPS = {
  fr_b2b: PRESET_REFERENCE.fr_b2b.margin_bps,
  eu_b2b: PRESET_REFERENCE.eu_b2b.margin_bps,
  uk_b2b: PRESET_REFERENCE.uk_b2b.margin_bps,
  de_b2b: PRESET_REFERENCE.de_b2b.margin_bps,
  ie_b2b: PRESET_REFERENCE.ie_b2b.margin_bps,
} as const;

/**
 * The statutory annual rate (basis points) of a preset.
 * - `fr_b2b` / `eu_b2b`: `date` is a day late; the ECB main refinancing rate in force on the
 *   first day of its half-year (1 January or 1 July), plus 10 / 8 points.
 * - `uk_b2b`: `date` is the day the debt became overdue; the Bank of England base rate in force
 *   on the 31 December or 30 June before it, plus 8 points, fixed for the debt's life.
 * - `de_b2b`: `date` is a day late; the Basiszinssatz (§247 BGB) in force that half-year (it only
 *   changes on 1 January and 1 July), plus 9 points (§288 Abs. 2 BGB).
 * - `ie_b2b`: `date` is the day the debt became overdue; the ECB main refinancing rate in force on
 *   the first day (1 January or 1 July) of the half-year of the relevant payment date (the due
 *   date), plus 8 points, one rate for the debt's life: "only one ECB rate will apply to a late
 *   payment" (S.I. No. 580 of 2012; enterprise.gov.ie, Late Payment Interest Rate).
 * - `none`: 0.
 */
export function presetRate(preset: LateFeePreset, referenceRates: readonly ReferenceRate[], date: string): number {
  switch (preset) {
    case 'none':
      return 0;
    case 'fr_b2b':
    case 'eu_b2b':
      return rateInForce(referenceRates, 'ecb_mro', halfYearStart(date)) + MARGIN_BPS[preset];
    case 'uk_b2b':
      return rateInForce(referenceRates, 'boe_base', ukReferenceDate(date)) + MARGIN_BPS.uk_b2b;
    case 'de_b2b':
      return rateInForce(referenceRates, 'bundesbank_base', halfYearStart(date)) + MARGIN_BPS.de_b2b;
    case 'ie_b2b':
      return rateInForce(referenceRates, 'ecb_mro', halfYearStart(addDays(date, -1))) + MARGIN_BPS.ie_b2b;
    default: {
      const unknown: never = preset;
      throw new TypeError(`Unknown late-fee preset ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The rate arguments of {@link interestFor} for a preset and an invoice due on `dueDate`:
 * a per-half-year rate for FR/EU, one fixed rate for the UK.
 */
export function presetRateArgs(
  preset: Exclude<LateFeePreset, 'none'>,
  referenceRates: readonly ReferenceRate[],
  dueDate: string,
): Pick<InterestInput, 'annualRateFor' | 'fixedRate'> {
  if (preset === 'uk_b2b' || preset === 'ie_b2b')
    return { fixedRate: presetRate(preset, referenceRates, addDays(dueDate, 1)) };
  return { annualRateFor: (day) => presetRate(preset, referenceRates, day) };
}

/** The reference rate a day late depends on: its source and the day whose rate in force applies. */
export interface ReferenceUse {
  source: ReferenceSource;
  reference_date: string;
}

/**
 * Which reference rate each day late of an invoice due on `dueDate` takes under a preset (the
 * same lookups as {@link presetRateArgs}): FR/EU the ECB rate on the first day of the day's
 * half-year; DE the Basiszinssatz on the first day of the day's half-year; UK the Bank of England rate on the date fixed by the day the debt became overdue.
 */
export function presetReference(
  preset: Exclude<LateFeePreset, 'none'>,
  dueDate: string,
): (day: string) => ReferenceUse {
  if (preset === 'uk_b2b') {
    const fixed: ReferenceUse = { source: 'boe_base', reference_date: ukReferenceDate(addDays(dueDate, 1)) };
    return () => fixed;
  }
  if (preset === 'ie_b2b') {
    const fixed: ReferenceUse = { source: 'ecb_mro', reference_date: halfYearStart(dueDate) };
    return () => fixed;
  }
  const source: ReferenceSource = preset === 'de_b2b' ? 'bundesbank_base' : 'ecb_mro';
  return (day) => ({ source, reference_date: halfYearStart(day) });
}

/** A fee amount in a currency's minor units. */
export interface Fee {
  amount: number;
  currency: string;
}

/**
 * The statutory fixed recovery fee of a preset for an invoice of `debtMinor` in `currency`, or
 * null when none applies. FR/EU: 40 EUR (Code de commerce D441-5; Directive 2011/7/EU art. 6).
 * DE: 40 EUR (Pauschale, §288 Abs. 5 BGB).
 * UK: 40 / 70 / 100 GBP for a debt under 1,000 / under 10,000 / 10,000 or more (1998 Act s. 5A).
 * IE: 40 / 70 / 100 EUR for a debt not exceeding 1,000 / not exceeding 10,000 / above
 * (S.I. No. 580 of 2012, compensation for recovery costs).
 * The sums are defined in EUR or GBP only: an invoice in any other currency gets no automatic
 * fixed fee (Relance holds no exchange rates; set a custom fixed fee on the terms instead).
 */
export function fixedRecoveryFee(preset: LateFeePreset, debtMinor: number, currency: string): Fee | null {
  switch (preset) {
    case 'none':
      return null;
    case 'fr_b2b':
    case 'eu_b2b':
    case 'de_b2b':
      return currency === 'EUR' ? { amount: 4000, currency } : null;
    case 'uk_b2b':
      if (currency !== 'GBP') return null;
      return { amount: debtMinor < 100_000 ? 4000 : debtMinor < 1_000_000 ? 7000 : 10000, currency };
    case 'ie_b2b':
      // "Not exceeding €1,000": €40; "exceeding €1,000 but not exceeding €10,000": €70; above: €100.
      if (currency !== 'EUR') return null;
      return { amount: debtMinor <= 100_000 ? 4000 : debtMinor <= 1_000_000 ? 7000 : 10000, currency };
    default: {
      const unknown: never = preset;
      throw new TypeError(`Unknown late-fee preset ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Turns dated reductions of the principal (payments received, credits) into the balance
 * segments {@link interestFor} reads: `principalNow` is owed after all of them; a reduction
 * dated D lowers the balance from day D on (the day a payment arrives is not charged on it).
 */
export function balanceHistory(
  principalNow: number,
  reductions: readonly { on: string; amount: number }[],
  from: string,
  to: string,
): BalanceSegment[] {
  if (compareDates(from, to) > 0) return [];
  const later = [...reductions].filter((r) => compareDates(r.on, from) > 0).sort((a, b) => compareDates(a.on, b.on));
  // Balance on `from`: what is owed now plus everything received after `from`.
  let balance = principalNow + later.reduce((sum, r) => sum + r.amount, 0);
  const segments: BalanceSegment[] = [];
  let cursor = from;
  for (const reduction of later) {
    if (compareDates(reduction.on, to) > 0) break;
    if (compareDates(reduction.on, cursor) > 0) segments.push({ from: cursor, to: addDays(reduction.on, -1), balance });
    balance -= reduction.amount;
    cursor = reduction.on;
  }
  segments.push({ from: cursor, to, balance });
  return segments.filter((s) => s.balance > 0);
}
