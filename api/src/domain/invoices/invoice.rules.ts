import { AppError, type FieldError } from '../../errors.ts';
import { compareDates, daysBetween } from '../calendar.ts';
import { MAX_AMOUNT_MINOR } from '../money.ts';
import { CHASED_STATUSES, CHASED_STATUSES_SQL } from '../shared/index.ts';
import type { InvoiceStatus, LineItem, LineItemInput } from './invoice.schemas.ts';

export interface AmountsInput {
  subtotal?: number | undefined;
  tax?: number | undefined;
  total?: number | undefined;
  line_items?: LineItemInput[] | undefined;
}

export interface Amounts {
  subtotal: number;
  tax: number;
  total: number;
  line_items: LineItem[];
}

const mismatch = (errors: FieldError[]) =>
  new AppError('invoice/amounts_mismatch', 422, 'The invoice amounts do not add up.', { errors });

/**
 * Completes and checks an invoice's amounts: subtotal defaults to the sum of the lines, total to
 * subtotal + tax; any amount given must agree with the others. All integers, in minor units.
 */
export function computeAmounts(input: AmountsInput): Amounts {
  const line_items = (input.line_items ?? []).map((line) => {
    const quantity = line.quantity ?? 1;
    return {
      description: line.description,
      quantity,
      unit_amount: line.unit_amount,
      amount: quantity * line.unit_amount,
    };
  });
  const linesTotal = line_items.reduce((sum, line) => sum + line.amount, 0);
  const tax = input.tax ?? 0;
  let subtotal = input.subtotal;
  if (subtotal === undefined) {
    if (line_items.length > 0) subtotal = linesTotal;
    else if (input.total !== undefined) subtotal = input.total - tax;
    else {
      throw new AppError('invoice/amount_required', 422, 'Give the amounts: subtotal, total or line_items.', {
        errors: [{ field: '/subtotal', message: 'is required when there are no line_items and no total' }],
      });
    }
  }
  if (line_items.length > 0 && subtotal !== linesTotal) {
    throw mismatch([{ field: '/subtotal', message: `must equal the sum of line_items (${linesTotal})` }]);
  }
  if (subtotal < 0) throw mismatch([{ field: '/tax', message: 'must not exceed total' }]);
  const total = subtotal + tax;
  if (input.total !== undefined && input.total !== total) {
    throw mismatch([{ field: '/total', message: `must equal subtotal + tax (${total})` }]);
  }
  if (total > MAX_AMOUNT_MINOR) throw mismatch([{ field: '/total', message: `must not exceed ${MAX_AMOUNT_MINOR}` }]);
  return { subtotal, tax, total, line_items };
}

export function assertDueNotBeforeIssue(issueDate: string, dueDate: string): void {
  if (compareDates(dueDate, issueDate) < 0) {
    throw new AppError('invoice/due_before_issue', 422, 'The due date is before the issue date.', {
      errors: [{ field: '/due_date', message: `must be on or after the issue date (${issueDate})` }],
    });
  }
}

export type InvoiceAction = 'finalize' | 'void' | 'mark_uncollectible' | 'update';

const ALLOWED: Record<InvoiceAction, readonly InvoiceStatus[]> = {
  update: ['draft'],
  finalize: ['draft'],
  // A void invoice was never owed; once money was received, record a refund or credit instead.
  void: ['draft', 'open'],
  // Writing off is for invoices someone owes and will not pay.
  mark_uncollectible: ['open', 'partially_paid'],
};

const RESULT: Record<Exclude<InvoiceAction, 'update'>, InvoiceStatus> = {
  finalize: 'open',
  void: 'void',
  mark_uncollectible: 'uncollectible',
};

/** The state an action leads to, or `invoice/invalid_transition` when the current state forbids it. */
export function nextStatus(current: InvoiceStatus, action: InvoiceAction): InvoiceStatus {
  if (!ALLOWED[action].includes(current)) {
    const code = action === 'update' ? 'invoice/not_draft' : 'invoice/invalid_transition';
    const what =
      action === 'update' ? 'Only draft invoices can be edited' : `Cannot ${action.replace('_', ' ')} an invoice`;
    throw new AppError(code, 409, `${what}; this one is ${current}.`);
  }
  return action === 'update' ? current : RESULT[action];
}

export { CHASED_STATUSES, CHASED_STATUSES_SQL };

/** Still owed: a chased invoice with something left to pay. */
export function isChased(invoice: { status: string; balance: number }): boolean {
  return CHASED_STATUSES.includes(invoice.status) && invoice.balance > 0;
}

/** Paid, or still open with nothing left to pay (a waived fee, a credit): nothing is owed. */
export function owesNothing(invoice: { status: string; balance: number }): boolean {
  return invoice.status === 'paid' || (CHASED_STATUSES.includes(invoice.status) && invoice.balance <= 0);
}

/** Overdue is derived: something is still owed on an open invoice and its due date has passed. */
export function overdueState(
  invoice: { status: string; balance: number; due_date: string },
  today: string,
): { overdue: boolean; days_overdue: number } {
  const days = daysBetween(invoice.due_date, today);
  const overdue = isChased(invoice) && days > 0;
  return { overdue, days_overdue: overdue ? days : 0 };
}
