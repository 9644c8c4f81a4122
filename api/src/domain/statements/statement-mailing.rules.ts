import { addDays, addMonths, zonedDateTimeToInstant } from '../calendar.ts';
import type { HolidayCalendar } from '../holidays.ts';
import { nextSendTime, type PolicyPlan } from '../reminders/index.ts';

/** `2026-03` → `2026-02`. */
export const previousMonth = (month: string): string => addMonths(`${month}-01`, -1).slice(0, 7);

/** `2026-03` → `2026-04`. */
export const nextMonth = (month: string): string => addMonths(`${month}-01`, 1).slice(0, 7);

/** The day of `month` the statement is due: `day` (1 to 28, so every month has it). */
const dayOf = (month: string, day: number) => `${month}-${String(day).padStart(2, '0')}`;

/**
 * When the statement of `month` goes: on `day` at the policy's send time, or, when that day is a
 * weekend or a holiday the policy skips, at the send time of the next day it messages.
 */
export function statementMoment(
  month: string,
  day: number,
  timeZone: string,
  plan: PolicyPlan,
  holidays: HolidayCalendar | null,
): Date {
  return nextSendTime(zonedDateTimeToInstant(dayOf(month, day), 0, 0, timeZone), timeZone, plan, holidays);
}

/** What the statement of `month` covers: the month before its day (1 March → 1–28 February; 15 March → 15 February–14 March). */
export function statementPeriod(month: string, day: number): { from: string; to: string } {
  const due = dayOf(month, day);
  return { from: addMonths(due, -1), to: addDays(due, -1) };
}
