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

const todayCache = new Map<string, string>();

/** The calendar date that a wall clock in `timeZone` shows at the instant `now`. */
export function todayIn(now: Date, timeZone: string): string {
  // Every zone's offset is a whole number of minutes, so one answer serves a whole minute: a
  // request path asks this several times and Temporal's zone lookup is not free.
  const key = `${timeZone}|${Math.floor(now.getTime() / 60_000)}`;
  let today = todayCache.get(key);
  if (today === undefined) {
    today = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().toString();
    if (todayCache.size > 10_000) todayCache.clear();
    todayCache.set(key, today);
  }
  return today;
}

const DAY_MS = 86_400_000;
/** Days since 1970-01-01 of a valid `YYYY-MM-DD` (exact: proleptic Gregorian arithmetic in UTC). */
const epochDay = (date: string): number => {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7)) - 1;
  const day = Number(date.slice(8, 10));
  const at = new Date(0);
  at.setUTCFullYear(year, month, day);
  // A day that does not exist (2023-02-29) rolls over: refuse it rather than answer wrongly.
  if (
    !ISO_DATE_RE.test(date) ||
    at.getUTCFullYear() !== year ||
    at.getUTCMonth() !== month ||
    at.getUTCDate() !== day
  ) {
    throw new RangeError(`Invalid calendar date: ${date}`);
  }
  return at.getTime() / DAY_MS;
};

/** `date` shifted by `days` (may be negative). */
export function addDays(date: string, days: number): string {
  return fromEpochDay(epochDay(date) + days);
}

/** The `YYYY-MM-DD` of a day counted from 1970-01-01. */
const fromEpochDay = (day: number): string => {
  const at = new Date(day * DAY_MS);
  const year = at.getUTCFullYear();
  const y =
    year < 0
      ? `-${String(-year).padStart(6, '0')}`
      : year > 9999
        ? `+${String(year).padStart(6, '0')}`
        : String(year).padStart(4, '0');
  return `${y}-${String(at.getUTCMonth() + 1).padStart(2, '0')}-${String(at.getUTCDate()).padStart(2, '0')}`;
};

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
  return epochDay(to) - epochDay(from);
}

/** -1, 0 or 1 as `a` is before, the same day as, or after `b`. */
export function compareDates(a: string, b: string): -1 | 0 | 1 {
  return Math.sign(epochDay(a) - epochDay(b)) as -1 | 0 | 1;
}

/** True on Saturday and Sunday. */
export function isWeekend(date: string): boolean {
  // 1970-01-01 was a Thursday: day 2 of the week counted from Saturday = 0.
  const dayOfWeek = (((epochDay(date) + 5) % 7) + 7) % 7;
  return dayOfWeek <= 1;
}

/** True on Sunday. */
export function isSunday(date: string): boolean {
  return (((epochDay(date) + 4) % 7) + 7) % 7 === 0;
}

/**
 * The instant at which a wall clock in `timeZone` shows `hour:minute` on `date`.
 * A time skipped by a DST jump is moved forward by the gap (02:30 → 03:30 on
 * a spring-forward night); a repeated time resolves to its first occurrence.
 * @throws RangeError unless hour is an integer in 0..23 and minute in 0..59.
 */
const instantCache = new Map<string, number>();

export function zonedDateTimeToInstant(date: string, hour: number, minute: number, timeZone: string): Date {
  // Planning asks this for thousands of invoices sharing a few due dates: remember the answers.
  const key = `${date}|${hour}|${minute}|${timeZone}`;
  const known = instantCache.get(key);
  if (known !== undefined) return new Date(known);
  const instant = computeInstant(date, hour, minute, timeZone);
  if (instantCache.size > 50_000) instantCache.clear();
  instantCache.set(key, instant.getTime());
  return instant;
}

function computeInstant(date: string, hour: number, minute: number, timeZone: string): Date {
  if (!Number.isInteger(hour) || !Number.isInteger(minute)) {
    throw new RangeError(`${hour}:${minute} is not a whole hour and minute.`);
  }
  const time = Temporal.PlainTime.from({ hour, minute }, { overflow: 'reject' });
  const zoned = plain(date).toPlainDateTime(time).toZonedDateTime(timeZone, { disambiguation: 'compatible' });
  return new Date(zoned.epochMilliseconds);
}
