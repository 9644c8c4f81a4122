/**
 * Payment plans (échéancier): how a balance is split into installments, how money received is
 * spread over them, and which days a suspended plan keeps free of late fees. Pure functions.
 */
import { AppError } from '../../errors.ts';
import { addDays, addMonths, compareDates } from '../calendar.ts';

/** Most installments a plan may have. */
export const MAX_INSTALLMENTS = 60;

export interface InstallmentDraft {
  number: number;
  due_date: string;
  amount: number;
}

/**
 * `count` monthly installments from `firstDueDate` that add up to `amount` exactly: each the
 * same whole number of minor units, the remainder on the last. Dates are the first date plus
 * k months, clamped to shorter months (31 Jan → 28/29 Feb → 31 Mar).
 */
export function splitMonthly(amount: number, count: number, firstDueDate: string): InstallmentDraft[] {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new RangeError(`amount must be a positive integer, got ${amount}`);
  if (!Number.isInteger(count) || count < 1 || count > MAX_INSTALLMENTS)
    throw new RangeError(`count must be 1 to ${MAX_INSTALLMENTS}, got ${count}`);
  const base = Math.floor(amount / count);
  if (base === 0) {
    throw new AppError(
      'payment_plan/installment_too_small',
      422,
      `${amount} minor units cannot be split into ${count} installments of at least 1.`,
      {
        errors: [{ field: '/count', message: `must be at most ${amount}` }],
      },
    );
  }
  return Array.from({ length: count }, (_, k) => ({
    number: k + 1,
    due_date: addMonths(firstDueDate, k),
    amount: k === count - 1 ? amount - base * (count - 1) : base,
  }));
}

/**
 * Checks an explicit list of installments against the plan amount and today: dates strictly
 * increasing and none before today, amounts adding up to the plan amount exactly. Throws the
 * first problem with the field it concerns; returns the numbered installments.
 */
export function checkInstallments(
  amount: number,
  installments: ReadonlyArray<{ due_date: string; amount: number }>,
  today: string,
): InstallmentDraft[] {
  for (const [index, installment] of installments.entries()) {
    const previous = installments[index - 1];
    if (index === 0 && compareDates(installment.due_date, today) < 0)
      throw invalidDates(`/installments/0/due_date`, `must be today (${today}) or later`);
    if (previous && compareDates(installment.due_date, previous.due_date) <= 0)
      throw invalidDates(`/installments/${index}/due_date`, 'must be after the previous installment’s date');
  }
  const sum = installments.reduce((n, i) => n + i.amount, 0);
  if (sum !== amount) {
    throw new AppError(
      'payment_plan/amount_mismatch',
      422,
      `The installments add up to ${sum}; the plan must cover exactly ${amount} (the invoice's balance).`,
      {
        errors: [{ field: '/installments', message: `must add up to ${amount}` }],
      },
    );
  }
  return installments.map((i, k) => ({ number: k + 1, due_date: i.due_date, amount: i.amount }));
}

export const invalidDates = (field: string, message: string) =>
  new AppError('payment_plan/invalid_dates', 422, `Installment dates are not valid: ${field} ${message}.`, {
    errors: [{ field, message }],
  });

export interface InstallmentState {
  number: number;
  amount: number;
  paid_amount: number;
  status: string;
}

/**
 * Spreads `received` (what the invoice received since the plan started) over the installments
 * in order, oldest first: each takes what it is owed until the money runs out. Returns each
 * installment's paid amount, in the order given (sorted by number).
 */
export function spreadOverInstallments(
  received: number,
  installments: readonly InstallmentState[],
): Array<{ number: number; paid_amount: number }> {
  let left = Math.max(0, received);
  return [...installments]
    .sort((a, b) => a.number - b.number)
    .map((i) => {
      const take = Math.min(left, i.amount);
      left -= take;
      return { number: i.number, paid_amount: take };
    });
}

/** The installment status once its paid amount is known: paid when fully paid; a missed one stays missed until then. */
export function installmentStatus(
  installment: { amount: number; status: string },
  paidAmount: number,
): 'pending' | 'paid' | 'missed' {
  if (paidAmount >= installment.amount) return 'paid';
  return installment.status === 'missed' ? 'missed' : 'pending';
}

/** A stretch of days on which late fees were suspended by a plan, both ends included. */
export interface SuspendedPeriod {
  from: string;
  to: string;
}

/**
 * The days a plan with suspended late fees covers: from the day it started to the day before it
 * ended (the day it ends is charged again), or up to `today` while it is active.
 */
export function suspendedPeriod(
  plan: { started_on: string; ended_on: string | null },
  today: string,
): SuspendedPeriod | null {
  const to = plan.ended_on === null ? today : addDays(plan.ended_on, -1);
  return compareDates(plan.started_on, to) <= 0 ? { from: plan.started_on, to } : null;
}

/** Balance segments without the suspended days: interest is never charged for them. */
export function withoutSuspendedDays<S extends { from: string; to: string }>(
  segments: readonly S[],
  periods: readonly SuspendedPeriod[],
): S[] {
  let result = [...segments];
  for (const period of periods) {
    result = result.flatMap((s) => {
      if (compareDates(period.to, s.from) < 0 || compareDates(period.from, s.to) > 0) return [s];
      const parts: S[] = [];
      if (compareDates(s.from, period.from) < 0) parts.push({ ...s, to: addDays(period.from, -1) });
      if (compareDates(period.to, s.to) < 0) parts.push({ ...s, from: addDays(period.to, 1) });
      return parts;
    });
  }
  return result;
}
