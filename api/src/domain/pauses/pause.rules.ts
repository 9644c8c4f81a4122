import { AppError } from '../../errors.ts';
import { compareDates } from '../calendar.ts';

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
