/**
 * Reference periods: which published rate a day of interest depends on, and whether that rate
 * is known. The `reference_rates` table is taken as complete up to its latest `effective_on` per
 * source; a reference date after it is not known, and the rate in force before is assumed
 * unchanged. Past a grace of {@link STALE_AFTER_DAYS} days the assumption is said out loud (fee
 * lines, `relance rates check`, `/ready`, the `reference_rate.missing` event). Pure functions.
 */
import { addDays, compareDates, daysBetween } from '../calendar.ts';
import { REFERENCE_SOURCES, type ReferenceRate, type ReferenceSource } from './late-fee.rules.ts';

/** Days after a reference date during which an unrecorded rate is quietly assumed unchanged. */
export const STALE_AFTER_DAYS = 30;

/** A half-year and the day whose rate it takes, for one source. */
export interface ReferencePeriod {
  source: ReferenceSource;
  /** The half-year whose days (FR/EU) or newly overdue debts (UK) use the rate: `2026-H2`. */
  period: string;
  /** The day whose rate in force applies to the period. */
  reference_date: string;
}

/** A reference period whose rate is not recorded, and what was used instead. */
export interface AssumedRate extends ReferencePeriod {
  /** The latest recorded rate before the reference date, used as if unchanged. */
  assumed_rate_bps: number;
  assumed_rate_effective_on: string;
}

const halfYearOf = (day: string) => (Number(day.slice(5, 7)) <= 6 ? 1 : 2);
const halfYearStartOf = (day: string) => `${day.slice(0, 4)}-${halfYearOf(day) === 1 ? '01' : '07'}-01`;
const nextHalfYear = (start: string): string =>
  start.slice(5, 7) === '01' ? `${start.slice(0, 4)}-07-01` : `${Number(start.slice(0, 4)) + 1}-01-01`;

/**
 * The reference date of the half-year starting on `start`:
 * - `ecb_mro` (FR, EU): its first day, 1 January or 1 July — Code de commerce art. L441-10 II
 *   (the first half-year takes the rate in force on 1 January, the second the one on 1 July) and
 *   Directive 2011/7/EU art. 2(7);
 * - `bundesbank_base` (DE): its first day too — §247 Abs. 1 BGB: the Basiszinssatz changes on
 *   1 January and 1 July, and §288 BGB charges each day at the rate then in force;
 * - `boe_base` (UK): the day before, 31 December or 30 June — Late Payment of Commercial Debts
 *   (Rate of Interest) (No. 3) Order 2002, SI 2002/1675 art. 4 (legislation.gov.uk): the official
 *   dealing rate in force on the 31 December (interest starting to run 1 January–30 June) or
 *   30 June (1 July–31 December) immediately before.
 */
export const referenceDateOf = (source: ReferenceSource, start: string): string =>
  source === 'boe_base' ? addDays(start, -1) : start;

/** The reference period a rate lookup on `referenceDate` belongs to. */
export function referencePeriodOf(source: ReferenceSource, referenceDate: string): ReferencePeriod {
  const start = source === 'boe_base' ? addDays(referenceDate, 1) : halfYearStartOf(referenceDate);
  return {
    source,
    period: `${start.slice(0, 4)}-H${halfYearOf(start)}`,
    reference_date: referenceDateOf(source, start),
  };
}

/** The latest `effective_on` recorded for `source`: rates are known up to that day (null: none). */
export function knownThrough(rates: readonly ReferenceRate[], source: ReferenceSource): string | null {
  let latest: string | null = null;
  for (const rate of rates) {
    if (rate.source === source && (latest === null || compareDates(rate.effective_on, latest) > 0))
      latest = rate.effective_on;
  }
  return latest;
}

/**
 * The assumption behind the rate of `source` on `referenceDate`, as of `today`: null when that
 * rate is recorded, or when the reference date passed {@link STALE_AFTER_DAYS} days ago or less.
 */
export function assumedRate(
  rates: readonly ReferenceRate[],
  source: ReferenceSource,
  referenceDate: string,
  today: string,
): AssumedRate | null {
  const known = knownThrough(rates, source);
  if (known === null || compareDates(referenceDate, known) <= 0) return null;
  if (daysBetween(referenceDate, today) <= STALE_AFTER_DAYS) return null;
  const last = rates.find((r) => r.source === source && r.effective_on === known);
  if (!last) return null;
  return {
    ...referencePeriodOf(source, referenceDate),
    assumed_rate_bps: last.rate_bps,
    assumed_rate_effective_on: last.effective_on,
  };
}

/**
 * Every reference period, per source, whose rate is not recorded although its reference date
 * passed more than {@link STALE_AFTER_DAYS} days before `today`, oldest first.
 */
export function missingReferencePeriods(rates: readonly ReferenceRate[], today: string): AssumedRate[] {
  const missing: AssumedRate[] = [];
  for (const source of REFERENCE_SOURCES) {
    const known = knownThrough(rates, source);
    // A source without any rate cannot be assumed from anything; accrual refuses it
    // (`late_fee/reference_rate_missing`). The shipped data gives every source a history.
    if (known === null) continue;
    for (let start = halfYearStartOf(known); ; start = nextHalfYear(start)) {
      const referenceDate = referenceDateOf(source, start);
      if (daysBetween(referenceDate, today) <= STALE_AFTER_DAYS) break;
      const assumed = assumedRate(rates, source, referenceDate, today);
      if (assumed) missing.push(assumed);
    }
  }
  return missing;
}

/** One line of text for a fee line or an operator: what was assumed, and why. */
export function describeAssumedRate(assumed: AssumedRate): string {
  return (
    `${assumed.source} rate in force on ${assumed.reference_date} (${assumed.period}) not recorded: ` +
    `assumed unchanged at ${(assumed.assumed_rate_bps / 100).toFixed(2)} % (in force since ${assumed.assumed_rate_effective_on}).`
  );
}

/**
 * The distinct assumptions behind the days of `pieces` (runs of days as {@link interestFor}
 * returns them) that fall within `within`, each reference period once.
 */
export function assumedRatesIn(
  rates: readonly ReferenceRate[],
  pieces: readonly { from: string; to: string }[],
  within: { from: string; to: string },
  referenceOf: (day: string) => { source: ReferenceSource; reference_date: string },
  today: string,
): AssumedRate[] {
  const found = new Map<string, AssumedRate>();
  for (const piece of pieces) {
    if (compareDates(piece.to, within.from) < 0 || compareDates(piece.from, within.to) > 0) continue;
    const { source, reference_date } = referenceOf(piece.from);
    const key = `${source}:${reference_date}`;
    if (found.has(key)) continue;
    const assumed = assumedRate(rates, source, reference_date, today);
    if (assumed) found.set(key, assumed);
  }
  return [...found.values()].sort((a, b) => compareDates(a.reference_date, b.reference_date));
}
