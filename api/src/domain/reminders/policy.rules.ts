import { addDays, isSunday, isWeekend, todayIn, zonedDateTimeToInstant } from '../calendar.ts';
import type { HolidayCalendar } from '../holidays.ts';
import { channelPlan } from './channels/registry.ts';
import type { Channel } from './policy.schemas.ts';

/** A policy as the planner needs it. */
export interface PolicyPlan {
  steps: Array<{
    id: string;
    offset_days: number;
    channel: Channel;
    template_key: string | null;
    applies_late_fees: boolean;
    first_contact_allowed?: boolean;
    attach_invoice_pdf?: boolean;
    attach_statement?: boolean;
  }>;
  repeat: { every_days: number; max: number } | null;
  send_hour: number;
  send_minute: number;
  skip_weekends: boolean;
  /** Public holidays of the customer's country (else the account's) move a reminder to the next working day. */
  skip_holidays: boolean;
  /** Days a catch-up keeps before the next step (see `firstContactAllowed`). */
  min_gap_days: number;
}

/** Templates that may open the conversation about a late invoice: their text presupposes no earlier reminder. */
const FIRST_CONTACT_TEMPLATES = new Set(['overdue_friendly', 'first_overdue']);

/**
 * Whether a step may be the customer's first message about an invoice: as set on the step, else
 * yes before and on the due date, for a friendly or first-overdue email and for a webhook (no
 * message to the customer); no for any other step after the due date (a firm reminder, a final
 * notice, a call, a formal letter, a collection agency), whose text or act presupposes reminders.
 */
export function firstContactAllowed(step: {
  offset_days: number;
  channel: string;
  template_key: string | null;
  first_contact_allowed?: boolean | undefined;
}): boolean {
  if (step.first_contact_allowed !== undefined) return step.first_contact_allowed;
  if (step.offset_days <= 0 || step.channel === 'webhook') return true;
  return step.template_key !== null && FIRST_CONTACT_TEMPLATES.has(step.template_key);
}

/** One reminder to come: a step (or a repeat of the last email step) at a local date and hour. */
export interface PlannedOccurrence {
  step_id: string;
  repeat_index: number;
  offset_days: number;
  channel: Channel;
  template_key: string | null;
  applies_late_fees: boolean;
  local_date: string;
  scheduled_at: Date;
  /** The date the step fell on before it was moved past weekends and holidays, or null. */
  moved_from: string | null;
  /** Why: each day skipped, `2026-12-25 Noël`, `2026-12-26 weekend`; null when not moved. */
  moved_for: string | null;
}

/**
 * The default follow-up, from the practice our users follow: a courtesy note a week before the
 * due date, a reminder on it, a friendly "did you receive it?" a week after, a firm reminder and a
 * phone call at two weeks, a final notice (with late fees) and a formal letter at a month.
 */
export const DEFAULT_POLICY = {
  name: 'Default follow-up',
  send_hour: 9,
  send_minute: 0,
  skip_weekends: true,
  skip_holidays: false,
  min_gap_days: 3,
  steps: [
    { offset_days: -7, channel: 'email', template_key: 'before_due', applies_late_fees: false },
    { offset_days: 0, channel: 'email', template_key: 'due_today', applies_late_fees: false },
    { offset_days: 7, channel: 'email', template_key: 'overdue_friendly', applies_late_fees: false },
    { offset_days: 14, channel: 'email', template_key: 'overdue_firm', applies_late_fees: false },
    { offset_days: 14, channel: 'call', template_key: null, applies_late_fees: false },
    { offset_days: 30, channel: 'email', template_key: 'final_notice', applies_late_fees: true },
    { offset_days: 30, channel: 'letter', template_key: null, applies_late_fees: false },
  ],
} as const;

/** Which days a policy does not send on: weekends, and the public holidays of a calendar. */
export interface DaysOff {
  weekends: boolean;
  holidays: HolidayCalendar | null;
}

/**
 * The local date a step falls on: due date + offset, moved to the next working day past
 * weekends (when skipped) and public holidays (when the policy skips them and a calendar applies).
 */
export function stepDate(
  dueDate: string,
  offsetDays: number,
  off: DaysOff,
): { date: string; moved_from: string | null; moved_for: string | null } {
  const planned = addDays(dueDate, offsetDays);
  const skipped: string[] = [];
  let date = planned;
  for (;;) {
    const holiday = off.holidays?.(date) ?? null;
    if (holiday !== null) skipped.push(`${date} ${holiday}`);
    else if (off.weekends && isWeekend(date)) skipped.push(`${date} weekend`);
    else break;
    date = addDays(date, 1);
  }
  return skipped.length === 0
    ? { date, moved_from: null, moved_for: null }
    : { date, moved_from: planned, moved_for: skipped.join(', ') };
}

const daysOff = (policy: PolicyPlan, holidays: HolidayCalendar | null | undefined): DaysOff => ({
  weekends: policy.skip_weekends,
  holidays: policy.skip_holidays ? (holidays ?? null) : null,
});

/**
 * The next moment a policy may send, from `now`: its send hour on the first allowed day (no
 * weekend when skipped, no public holiday when skipped) whose send hour is still to come.
 */
export function nextSendTime(now: Date, timeZone: string, policy: PolicyPlan, holidays?: HolidayCalendar | null): Date {
  const off = daysOff(policy, holidays);
  let day = todayIn(now, timeZone);
  for (;;) {
    day = stepDate(day, 0, off).date;
    const at = zonedDateTimeToInstant(day, policy.send_hour, policy.send_minute, timeZone);
    if (at.getTime() >= now.getTime()) return at;
    day = addDays(day, 1);
  }
}

/** The local hour after which no message leaves for the day (unless the policy's send time is later). */
export const MESSAGES_UNTIL_HOUR = 20;

/**
 * Whether a message may leave at `now`: an allowed day (no weekend or public holiday the policy
 * skips), from the policy's send time until 20:00 local time (or one hour after a later send
 * time). A reminder due at any other moment (the service was down, an invoice registered late at
 * night or on a Sunday) waits for `nextSendTime`.
 */
export function mayMessageAt(
  now: Date,
  timeZone: string,
  policy: PolicyPlan,
  holidays?: HolidayCalendar | null,
): boolean {
  const day = todayIn(now, timeZone);
  if (stepDate(day, 0, daysOff(policy, holidays)).date !== day) return false;
  const from = zonedDateTimeToInstant(day, policy.send_hour, policy.send_minute, timeZone);
  const untilHour = Math.max(MESSAGES_UNTIL_HOUR, policy.send_hour + 1);
  const until =
    untilHour >= 24
      ? zonedDateTimeToInstant(addDays(day, 1), 0, 0, timeZone)
      : zonedDateTimeToInstant(day, untilHour, 0, timeZone);
  return now >= from && now < until;
}

/** The hours in which a text or a call may reach a person, local time: from `fromHour` until `untilHour` (24: midnight). */
export interface Daytime {
  fromHour: number;
  untilHour: number;
}

/**
 * When a text or a call may reach the customer, from `now`: null when now is allowed (a weekday
 * or Saturday that is no public holiday, between `fromHour` and `untilHour` in the customer's time
 * zone); otherwise the start of the next allowed day's hours, or today's when they are still to
 * come. Sundays and public holidays are never allowed, whatever the policy skips
 * (docs/sms.md#daytime).
 */
export function nextDaytime(
  now: Date,
  timeZone: string,
  daytime: Daytime,
  holidays?: HolidayCalendar | null,
): Date | null {
  const offDay = (day: string) => isSunday(day) || (holidays?.(day) ?? null) !== null;
  const start = (day: string) => zonedDateTimeToInstant(day, daytime.fromHour, 0, timeZone);
  const end = (day: string) =>
    daytime.untilHour >= 24
      ? zonedDateTimeToInstant(addDays(day, 1), 0, 0, timeZone)
      : zonedDateTimeToInstant(day, daytime.untilHour, 0, timeZone);
  let day = todayIn(now, timeZone);
  if (!offDay(day)) {
    if (now >= start(day) && now < end(day)) return null;
    if (now < start(day)) return start(day);
  }
  do day = addDays(day, 1);
  while (offDay(day));
  return start(day);
}

/** Steps in the order they play out: by offset, then by channel (emails before tasks on the same day). */
export function orderedSteps<S extends { offset_days: number; channel: Channel }>(steps: readonly S[]): S[] {
  const rank = (c: Channel) => channelPlan(c).rank;
  return [...steps].sort((a, b) => a.offset_days - b.offset_days || rank(a.channel) - rank(b.channel));
}

/**
 * Every reminder a policy plans for a due date, in the account's time zone: one per step, then
 * the repeats of the last step whose channel repeats, the last email step (every N days after the last step, at most M times).
 */
export function planOccurrences(
  policy: PolicyPlan,
  dueDate: string,
  timeZone: string,
  holidays?: HolidayCalendar | null,
): PlannedOccurrence[] {
  const at = (date: string) => zonedDateTimeToInstant(date, policy.send_hour, policy.send_minute, timeZone);
  const off = daysOff(policy, holidays);
  const steps = orderedSteps(policy.steps);
  const planned: PlannedOccurrence[] = steps.map((step) => {
    const { date: local_date, moved_from, moved_for } = stepDate(dueDate, step.offset_days, off);
    return {
      step_id: step.id,
      repeat_index: 0,
      offset_days: step.offset_days,
      channel: step.channel,
      template_key: step.template_key,
      applies_late_fees: step.applies_late_fees,
      local_date,
      scheduled_at: at(local_date),
      moved_from,
      moved_for,
    };
  });
  const last = steps.at(-1);
  const repeated = [...steps].reverse().find((s) => channelPlan(s.channel).repeats) ?? last;
  if (policy.repeat && last && repeated) {
    for (let k = 1; k <= policy.repeat.max; k++) {
      const offset = last.offset_days + k * policy.repeat.every_days;
      const { date: local_date, moved_from, moved_for } = stepDate(dueDate, offset, off);
      planned.push({
        step_id: repeated.id,
        repeat_index: k,
        offset_days: offset,
        channel: repeated.channel,
        template_key: repeated.template_key,
        applies_late_fees: repeated.applies_late_fees,
        local_date,
        scheduled_at: at(local_date),
        moved_from,
        moved_for,
      });
    }
  }
  return planned;
}

/**
 * The reminders of an invoice on a payment plan, one set per installment still unpaid: the
 * policy's steps before and on the due date, and its first step after it (those of the smallest
 * positive offset), each relative to the installment's date. No repeats: a missed installment
 * is handled by the plan (and, once breached, by the policy again).
 */
export function planInstallmentOccurrences(
  policy: PolicyPlan,
  installments: ReadonlyArray<{ number: number; due_date: string }>,
  timeZone: string,
  holidays?: HolidayCalendar | null,
): Array<PlannedOccurrence & { installment_number: number; installment_due_on: string }> {
  const off = daysOff(policy, holidays);
  const steps = orderedSteps(policy.steps);
  const firstAfter = steps.find((s) => s.offset_days > 0)?.offset_days;
  const chosen = steps.filter((s) => s.offset_days <= 0 || s.offset_days === firstAfter);
  return installments.flatMap((installment) =>
    chosen.map((step) => {
      const { date: local_date, moved_from, moved_for } = stepDate(installment.due_date, step.offset_days, off);
      return {
        step_id: step.id,
        repeat_index: 0,
        offset_days: step.offset_days,
        channel: step.channel,
        template_key: step.template_key,
        applies_late_fees: step.applies_late_fees,
        local_date,
        scheduled_at: zonedDateTimeToInstant(local_date, policy.send_hour, policy.send_minute, timeZone),
        moved_from,
        moved_for,
        installment_number: installment.number,
        installment_due_on: installment.due_date,
      };
    }),
  );
}

/** How often a customer may hear from us, across its invoices and channels (docs/reminders.md#contact-budget). */
export interface ContactBudget {
  /** Contacts in any 7 consecutive days (local calendar days). */
  perWeek: number;
  /** Days from one contact's day to the next one's (0: the same day is allowed). */
  minDaysBetween: number;
}

/** A contact in the budget's ledger: its local day, and the invoice it was about. */
export interface Contact {
  day: string;
  invoice: string;
}

/**
 * The first local day a new contact about `invoice` fits the budget, or null when today does.
 * `contacts` are the customer's recent ones (any order). In calendar days, so that a reminder
 * sent a little late does not push the next one by a day. Steps the policy puts on the same day
 * for the same invoice (a final notice and its formal letter) go together: the spacing is between
 * days of contact, while each still counts in the week.
 */
export function nextContactDay(
  contacts: readonly Contact[],
  today: string,
  budget: ContactBudget,
  invoice: string,
): string | null {
  const past = contacts.filter((c) => c.day <= today);
  const days = past.map((c) => c.day).toSorted();
  let first = today;
  const last = past
    .filter((c) => !(c.day === today && c.invoice === invoice))
    .map((c) => c.day)
    .toSorted()
    .at(-1);
  if (last !== undefined && budget.minDaysBetween > 0) {
    const spaced = addDays(last, budget.minDaysBetween);
    if (spaced > first) first = spaced;
  }
  // The week ending on `first` holds contacts after first − 7: while it holds perWeek of them, wait
  // for the oldest of those to leave it.
  for (;;) {
    const windowStart = addDays(first, -6);
    const inWindow = days.filter((d) => d >= windowStart);
    if (inWindow.length < budget.perWeek) break;
    const oldest = inWindow[inWindow.length - budget.perWeek] as string;
    first = addDays(oldest, 7);
  }
  return first > today ? first : null;
}
