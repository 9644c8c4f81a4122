/**
 * Calendar arithmetic on ISO dates (`YYYY-MM-DD`) and IANA time zones.
 * Invoice, due and reminder dates are calendar days with no time zone of
 * their own; an account's time zone only decides which day "today" is and
 * at which instant a local wall-clock time happens.
 *
 * Functions taking a date throw RangeError for an invalid one: callers
 * validate input first with {@link isValidIsoDate}.
 */
import { Temporal } from 'temporal-polyfill';

const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

const plain = (date: string): Temporal.PlainDate => {
  if (!ISO_DATE_RE.test(date)) throw new RangeError(`'${date}' is not a YYYY-MM-DD date.`);
  return Temporal.PlainDate.from(date);
};

/**
 * True for an IANA time zone name spelled as in the tz database ('Europe/Paris',
 * 'UTC', 'Asia/Calcutta'). Fixed offsets ('+02:00') are rejected: they do not
 * follow the DST rules of the place they were meant for.
 */
export function isValidTimeZone(tz: string): boolean {
  if (!/^[A-Za-z]/.test(tz)) return false;
  try {
    // The returned id is case-normalised: requiring equality rejects 'europe/paris'.
    return new Temporal.ZonedDateTime(0n, tz).timeZoneId === tz;
  } catch {
    return false;
  }
}

/** True for a strict `YYYY-MM-DD` string naming a real proleptic Gregorian day. */
export function isValidIsoDate(s: string): boolean {
  if (!ISO_DATE_RE.test(s)) return false;
  try {
    Temporal.PlainDate.from(s);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date that a wall clock in `timeZone` shows at the instant `now`. */
export function todayIn(now: Date, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

/** `date` shifted by `days` (may be negative). */
export function addDays(date: string, days: number): string {
  return plain(date).add({ days }).toString();
}

/** `date` shifted by `months`, clamped to the last day of a shorter month (Jan 31 + 1 → Feb 28/29). */
export function addMonths(date: string, months: number): string {
  return plain(date).add({ months }, { overflow: 'constrain' }).toString();
}

/** Last day of the month containing `date`. */
export function endOfMonth(date: string): string {
  const d = plain(date);
  return d.with({ day: d.daysInMonth }).toString();
}

/** Signed number of days from `from` to `to` (`to` − `from`). */
export function daysBetween(from: string, to: string): number {
  return plain(from).until(plain(to), { largestUnit: 'days' }).days;
}

/** -1, 0 or 1 as `a` is before, the same day as, or after `b`. */
export function compareDates(a: string, b: string): -1 | 0 | 1 {
  return Math.sign(Temporal.PlainDate.compare(plain(a), plain(b))) as -1 | 0 | 1;
}

/** True on Saturday and Sunday. */
export function isWeekend(date: string): boolean {
  return plain(date).dayOfWeek >= 6;
}

/**
 * The instant at which a wall clock in `timeZone` shows `hour:minute` on `date`.
 * A time skipped by a DST jump is moved forward by the gap (02:30 → 03:30 on
 * a spring-forward night); a repeated time resolves to its first occurrence.
 * @throws RangeError unless hour is an integer in 0..23 and minute in 0..59.
 */
export function zonedDateTimeToInstant(date: string, hour: number, minute: number, timeZone: string): Date {
  if (!Number.isInteger(hour) || !Number.isInteger(minute)) {
    throw new RangeError(`${hour}:${minute} is not a whole hour and minute.`);
  }
  const time = Temporal.PlainTime.from({ hour, minute }, { overflow: 'reject' });
  const zoned = plain(date).toPlainDateTime(time).toZonedDateTime(timeZone, { disambiguation: 'compatible' });
  return new Date(zoned.epochMilliseconds);
}
