import { AppError, notFound, validationFailed } from '../../errors.ts';
import { compareDates } from '../calendar.ts';
import { CHASED_STATUSES } from '../shared/index.ts';
import type { AllocationInput } from './payment.schemas.ts';

/** Invoices a payment can be allocated to: owed, not yet fully paid (the invoices Relance chases). */
export const PAYABLE_STATUSES = CHASED_STATUSES;

/** What the allocation rules need to know of an invoice (read under its row lock). */
export interface PayableInvoice {
  id: string;
  customer_id: string;
  currency: string;
  status: string;
  balance: number;
  due_date: string;
}

export interface Allocation {
  invoice_id: string;
  amount: number;
}

/** How a sum of money is split: allocations + unallocated = the sum, exactly. */
export interface Split {
  allocations: Allocation[];
  unallocated: number;
}

/**
 * Oldest due first (then by id, so the order is total): each invoice takes what it still owes
 * until the money runs out; what is left is the customer's credit. Integers only, so the parts
 * always add up to `amount`.
 */
export function allocateOldestDueFirst(amount: number, invoices: readonly PayableInvoice[]): Split {
  const ordered = invoices
    .filter((i) => PAYABLE_STATUSES.includes(i.status) && i.balance > 0)
    .toSorted((a, b) => compareDates(a.due_date, b.due_date) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let left = amount;
  const allocations: Allocation[] = [];
  for (const invoice of ordered) {
    if (left === 0) break;
    const take = Math.min(left, invoice.balance);
    allocations.push({ invoice_id: invoice.id, amount: take });
    left -= take;
  }
  return { allocations, unallocated: left };
}

/**
 * Checks explicit allocations of `available` money of a customer in a currency against the
 * invoices they name (locked by the caller), in the order given. Throws the first problem:
 * unknown invoice, another customer's, another currency, not payable, more than its balance,
 * more than the money. Returns the split (the rest unallocated).
 */
export function checkAllocations(
  payment: { customer_id: string; currency: string; available: number },
  requested: readonly AllocationInput[],
  invoices: ReadonlyMap<string, PayableInvoice>,
): Split {
  const seen = new Set<string>();
  for (const [index, { invoice_id }] of requested.entries()) {
    if (seen.has(invoice_id)) {
      throw validationFailed([
        { field: `/allocations/${index}/invoice_id`, message: 'appears twice; give one allocation per invoice' },
      ]);
    }
    seen.add(invoice_id);
  }
  for (const [index, allocation] of requested.entries()) {
    const invoice = invoices.get(allocation.invoice_id);
    const field = `/allocations/${index}`;
    if (!invoice) throw notFound('invoice', allocation.invoice_id);
    if (invoice.customer_id !== payment.customer_id) {
      throw new AppError(
        'payment/invoice_of_other_customer',
        422,
        `Invoice '${invoice.id}' belongs to another customer than the payment's.`,
        {
          errors: [{ field: `${field}/invoice_id`, message: `is an invoice of another customer` }],
        },
      );
    }
    if (invoice.currency !== payment.currency) {
      throw new AppError(
        'payment/currency_mismatch',
        422,
        `Invoice '${invoice.id}' is in ${invoice.currency}; the payment is in ${payment.currency}.`,
        {
          errors: [{ field: `${field}/invoice_id`, message: `is an invoice in ${invoice.currency}` }],
        },
      );
    }
    // A paid invoice has nothing left to take: that is an over-allocation (what the loser of two
    // payments racing for the last balance is told), not a state problem.
    if (!PAYABLE_STATUSES.includes(invoice.status) && invoice.status !== 'paid') {
      throw new AppError(
        'payment/invoice_not_payable',
        409,
        `Invoice '${invoice.id}' is ${invoice.status}: only open and partially paid invoices take payments.`,
        {
          errors: [{ field: `${field}/invoice_id`, message: `is ${invoice.status}` }],
        },
      );
    }
    if (allocation.amount > invoice.balance) {
      const owed =
        invoice.balance <= 0
          ? `is ${invoice.status} (balance ${invoice.balance})`
          : `has a balance of ${invoice.balance}`;
      throw new AppError(
        'payment/over_allocation',
        422,
        `Invoice '${invoice.id}' ${owed}; ${allocation.amount} cannot be allocated to it.`,
        {
          errors: [{ field: `${field}/amount`, message: `must not exceed the invoice's balance (${invoice.balance})` }],
        },
      );
    }
  }
  const allocated = requested.reduce((sum, a) => sum + a.amount, 0);
  if (allocated > payment.available) {
    throw new AppError(
      'payment/over_allocation',
      422,
      `The allocations add up to ${allocated}, more than the ${payment.available} available.`,
      {
        errors: [{ field: '/allocations', message: `must add up to at most ${payment.available}` }],
      },
    );
  }
  return {
    allocations: requested.map((a) => ({ invoice_id: a.invoice_id, amount: a.amount })),
    unallocated: payment.available - allocated,
  };
}

/**
 * An invoice's state once its payments changed: paid when nothing is owed, partially paid while
 * some payment is in force, else open. Void and written-off invoices keep their state.
 */
export function statusAfterPayments(invoice: { status: string; amount_paid: number; balance: number }): string {
  if (!PAYABLE_STATUSES.includes(invoice.status) && invoice.status !== 'paid') return invoice.status;
  if (invoice.balance <= 0) return 'paid';
  return invoice.amount_paid > 0 ? 'partially_paid' : 'open';
}
