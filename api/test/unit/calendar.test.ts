import t from 'tap';
import {
  addDays,
  addMonths,
  compareDates,
  daysBetween,
  endOfMonth,
  isValidIsoDate,
  isValidTimeZone,
  isWeekend,
  todayIn,
  zonedDateTimeToInstant,
} from '../../src/domain/calendar.ts';

t.test('isValidTimeZone', async (t) => {
  for (const tz of ['Europe/Paris', 'UTC', 'America/Los_Angeles', 'Pacific/Auckland', 'Asia/Kolkata', 'Etc/GMT+2']) {
    t.ok(isValidTimeZone(tz), tz);
  }
  for (const tz of ['', 'Mars/Olympus', '+02:00', '-05:00', '+0200', 'Z', 'europe/paris', 'Europe/Paris ', 'Paris']) {
    t.notOk(isValidTimeZone(tz), JSON.stringify(tz));
  }
});

t.test('isValidIsoDate', async (t) => {
  for (const d of ['2024-02-29', '2000-02-29', '2026-12-31', '0001-01-01']) t.ok(isValidIsoDate(d), d);
  for (const d of [
    '2023-02-29',
    '2100-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-1-05',
    '20260105',
    '2026-01-05T00:00',
    '2026-01-05Z',
    '+002026-01-05',
    ' 2026-01-05',
    '',
  ]) {
    t.notOk(isValidIsoDate(d), JSON.stringify(d));
  }
});

t.test('todayIn follows the zone across midnight', async (t) => {
  t.equal(todayIn(new Date('2026-03-31T22:30:00Z'), 'Europe/Paris'), '2026-04-01');
  t.equal(todayIn(new Date('2026-03-31T21:59:59Z'), 'Europe/Paris'), '2026-03-31', 'CEST is UTC+2');
  t.equal(todayIn(new Date('2026-03-31T22:30:00Z'), 'UTC'), '2026-03-31');
  // Auckland is UTC+13 in (southern) summer: already New Year's Day.
  t.equal(todayIn(new Date('2025-12-31T11:00:00Z'), 'Pacific/Auckland'), '2026-01-01');
  t.equal(todayIn(new Date('2025-12-31T10:59:59Z'), 'Pacific/Auckland'), '2025-12-31');
  // Los Angeles is UTC-8 in winter: still New Year's Eve.
  t.equal(todayIn(new Date('2026-01-01T07:59:59Z'), 'America/Los_Angeles'), '2025-12-31');
  t.equal(todayIn(new Date('2026-01-01T08:00:00Z'), 'America/Los_Angeles'), '2026-01-01');
  t.equal(todayIn(new Date('2026-07-01T06:59:00Z'), 'America/Los_Angeles'), '2026-06-30', 'PDT is UTC-7');
  t.throws(() => todayIn(new Date(), 'Mars/Olympus'), RangeError);
});

t.test('addDays', async (t) => {
  t.equal(addDays('2024-02-28', 1), '2024-02-29');
  t.equal(addDays('2023-02-28', 1), '2023-03-01');
  t.equal(addDays('2100-02-28', 1), '2100-03-01', '2100 is not a leap year');
  t.equal(addDays('2025-12-31', 1), '2026-01-01');
  t.equal(addDays('2026-01-01', -1), '2025-12-31');
  t.equal(addDays('2026-03-28', 2), '2026-03-30', 'DST has no effect on calendar days');
  t.equal(addDays('2024-01-01', 366), '2025-01-01');
  t.equal(addDays('2026-05-17', 0), '2026-05-17');
  t.throws(() => addDays('2023-02-29', 1), RangeError);
  t.throws(() => addDays('2026-01-05T10:00', 1), RangeError);
});

t.test('addMonths clamps to the month end', async (t) => {
  t.equal(addMonths('2026-01-31', 1), '2026-02-28');
  t.equal(addMonths('2024-01-31', 1), '2024-02-29');
  t.equal(addMonths('2026-03-31', 1), '2026-04-30');
  t.equal(addMonths('2026-03-31', -1), '2026-02-28');
  t.equal(addMonths('2025-11-15', 3), '2026-02-15');
  t.equal(addMonths('2024-02-29', 12), '2025-02-28');
  t.equal(addMonths('2024-02-29', 48), '2028-02-29');
});

t.test('endOfMonth', async (t) => {
  t.equal(endOfMonth('2024-02-10'), '2024-02-29');
  t.equal(endOfMonth('2023-02-10'), '2023-02-28');
  t.equal(endOfMonth('2100-02-01'), '2100-02-28');
  t.equal(endOfMonth('2000-02-01'), '2000-02-29', '2000 is a leap year (divisible by 400)');
  t.equal(endOfMonth('2026-04-30'), '2026-04-30');
  t.equal(endOfMonth('2026-12-01'), '2026-12-31');
});

t.test('daysBetween and compareDates', async (t) => {
  t.equal(daysBetween('2026-01-01', '2026-01-31'), 30);
  t.equal(daysBetween('2026-01-31', '2026-01-01'), -30);
  t.equal(daysBetween('2024-02-28', '2024-03-01'), 2);
  t.equal(daysBetween('2023-02-28', '2023-03-01'), 1);
  t.equal(daysBetween('2025-01-01', '2026-01-01'), 365);
  t.equal(daysBetween('2024-01-01', '2025-01-01'), 366);
  t.equal(daysBetween('2026-03-29', '2026-03-30'), 1, 'a 23-hour DST day is still one day');
  t.equal(daysBetween('2026-05-05', '2026-05-05'), 0);
  t.equal(compareDates('2026-01-02', '2026-01-10'), -1);
  t.equal(compareDates('2026-01-10', '2026-01-02'), 1);
  t.equal(compareDates('2026-01-10', '2026-01-10'), 0);
  t.equal(compareDates('2025-12-31', '2026-01-01'), -1);
});

t.test('isWeekend', async (t) => {
  t.ok(isWeekend('2026-01-03'), 'Saturday');
  t.ok(isWeekend('2026-01-04'), 'Sunday');
  t.notOk(isWeekend('2026-01-05'), 'Monday');
  t.notOk(isWeekend('2026-01-02'), 'Friday');
  t.notOk(isWeekend('2024-02-29'), 'Thursday');
});

t.test('zonedDateTimeToInstant', async (t) => {
  const at = (d: string, h: number, m: number, tz: string) => zonedDateTimeToInstant(d, h, m, tz).toISOString();
  t.equal(at('2026-01-15', 9, 0, 'Europe/Paris'), '2026-01-15T08:00:00.000Z', 'CET');
  t.equal(at('2026-07-15', 9, 0, 'Europe/Paris'), '2026-07-15T07:00:00.000Z', 'CEST');
  // Spring forward: 02:00 → 03:00 on 2026-03-29, so 02:30 does not exist and moves to 03:30 CEST.
  t.equal(at('2026-03-29', 2, 30, 'Europe/Paris'), '2026-03-29T01:30:00.000Z');
  t.equal(at('2026-03-29', 1, 59, 'Europe/Paris'), '2026-03-29T00:59:00.000Z');
  t.equal(at('2026-03-29', 3, 0, 'Europe/Paris'), '2026-03-29T01:00:00.000Z');
  // Fall back: 02:00-03:00 happens twice on 2026-10-25; the first (CEST) occurrence wins.
  t.equal(at('2026-10-25', 2, 30, 'Europe/Paris'), '2026-10-25T00:30:00.000Z');
  t.equal(at('2026-10-25', 3, 0, 'Europe/Paris'), '2026-10-25T02:00:00.000Z');
  t.equal(at('2026-01-01', 0, 0, 'Pacific/Auckland'), '2025-12-31T11:00:00.000Z');
  t.equal(at('2026-03-08', 2, 30, 'America/Los_Angeles'), '2026-03-08T10:30:00.000Z', 'US gap: 02:30 → 03:30 PDT');
  t.equal(at('2026-06-01', 23, 59, 'UTC'), '2026-06-01T23:59:00.000Z');
  t.throws(() => zonedDateTimeToInstant('2026-01-15', 24, 0, 'UTC'), RangeError);
  t.throws(() => zonedDateTimeToInstant('2026-01-15', 9, 60, 'UTC'), RangeError);
  t.throws(() => zonedDateTimeToInstant('2026-01-15', 9.5, 0, 'UTC'), RangeError);
  t.throws(() => zonedDateTimeToInstant('2026-01-15', 9, 0, 'Mars/Olympus'), RangeError);
});
