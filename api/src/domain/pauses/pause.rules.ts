import { AppError } from '../../errors.ts';
import { compareDates } from '../calendar.ts';

export interface Pause {
  until: string | null;
  reason: string | null;
}

/** Invoices Relance is still chasing: the only ones a promise or a dispute applies to. */
export { CHASED_STATUSES } from '../invoices/invoice.rules.ts';

/**
 * The pause in effect today, as the API shows it: open-ended, or ending on a date not yet
 * passed. A pause whose last day has passed is over without anyone lifting it.
 */
export function activePause(row: { paused: boolean; paused_until: string | null; pause_reason: string | null }, today: string): Pause | null {
  if (!row.paused) return null;
  if (row.paused_until !== null && compareDates(row.paused_until, today) < 0) return null;
  return { until: row.paused_until, reason: row.pause_reason };
}

/** A pause's end or a promised date must not be in the past (the account's today is allowed). */
export function assertNotPast(date: string, today: string, error: { code: string; field: string; what: string }): void {
  if (compareDates(date, today) < 0) {
    throw new AppError(error.code, 422, `${error.what} must be today (${today}) or later.`, {
      errors: [{ field: error.field, message: `must be on or after ${today}` }],
    });
  }
}

/** Refuses an action the invoice's state does not allow, with the same code as the invoice's own transitions. */
export function assertInvoiceStatus(status: string, allowed: readonly string[], action: string): void {
  if (!allowed.includes(status)) {
    throw new AppError('invoice/invalid_transition', 409, `Cannot ${action} an invoice that is ${status}.`);
  }
}
