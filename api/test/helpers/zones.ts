import { isSunday, todayIn } from '../../src/domain/calendar.ts';

/**
 * For tests that run on the real clock: a time zone where it is now within `hours` (local, both
 * ends included) and, when asked, not a Sunday, so a run of a few minutes keeps to the sending
 * rules (emails until 20:00, no text on a Sunday) whatever the hour the suite runs. The zones span
 * UTC−11 to UTC+14: one is never a Sunday; one is always between 01:00 and 18:00.
 */
export function zoneWithin(now: Date, options: { hours?: [number, number]; notSunday?: boolean }): string {
  const [from, to] = options.hours ?? [0, 23];
  const hourIn = (zone: string) =>
    Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: zone }).format(now));
  const zone = ['UTC', 'America/Los_Angeles', 'Asia/Tokyo', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'].find(
    (z) => hourIn(z) >= from && hourIn(z) <= to && !(options.notSunday && isSunday(todayIn(now, z))),
  );
  if (!zone) throw new Error(`no zone fits ${JSON.stringify(options)} at ${now.toISOString()}`);
  return zone;
}
