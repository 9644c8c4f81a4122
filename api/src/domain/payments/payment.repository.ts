import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { PaymentAllocations, Payments } from '../../store/db-types.ts';
import { PAYABLE_STATUSES } from './payment.rules.ts';
import type { Payment, PaymentListQuery, PaymentMethod, PaymentStatus } from './payment.schemas.ts';

export type PaymentRow = Selectable<Payments>;
export type AllocationRow = Selectable<PaymentAllocations>;

export function presentPayment(row: PaymentRow, allocations: readonly AllocationRow[]): Payment {
  const mine = allocations.filter((a) => a.payment_id === row.id).toSorted((a, b) => (a.id < b.id ? -1 : 1));
  return {
    id: row.id,
    object: 'payment',
    customer_id: row.customer_id,
    amount: row.amount,
    currency: row.currency,
    received_on: row.received_on,
    method: row.method as PaymentMethod,
    reference: row.reference,
    status: row.status as PaymentStatus,
    amount_allocated: mine.filter((a) => !a.reversed).reduce((sum, a) => sum + a.amount, 0),
    unallocated: row.unallocated,
    allocations: mine.map((a) => ({
      id: a.id,
      object: 'payment_allocation',
      invoice_id: a.invoice_id,
      amount: a.amount,
      reversed: a.reversed,
      created_at: a.created_at.toISOString(),
      reversed_at: a.reversed_at?.toISOString() ?? null,
    })),
    reversal_reason: row.reversal_reason,
    reversed_at: row.reversed_at?.toISOString() ?? null,
    metadata: row.metadata as Record<string, string>,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export const findPayment = (trx: Db, id: string, options: { forUpdate?: boolean } = {}) => {
  const q = trx.selectFrom('payments').selectAll().where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
};

export const allocationsOf = async (trx: Db, paymentIds: readonly string[]): Promise<AllocationRow[]> =>
  paymentIds.length === 0 ? [] : trx.selectFrom('payment_allocations').selectAll().where('payment_id', 'in', paymentIds).execute();

/**
 * Locks invoices in id order, the one order every payment takes them in, so two payments over
 * the same invoices wait for each other instead of deadlocking. The reminder sender takes the
 * same row lock: once a payment commits, no reminder of these invoices leaves on the old state.
 */
export const lockInvoices = async (trx: Db, ids: readonly string[]) =>
  ids.length === 0 ? [] : trx.selectFrom('invoices').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();

/** Locks (in id order) the invoices of a customer a payment in `currency` can go to. */
export const lockPayableInvoicesOf = (trx: Db, customerId: string, currency: string) =>
  trx
    .selectFrom('invoices')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('currency', '=', currency)
    .where('status', 'in', [...PAYABLE_STATUSES])
    .where('balance', '>', 0)
    .orderBy('id')
    .forUpdate()
    .execute();

/** One page of payments, newest first, filtered. */
export function listPayments(trx: Db, query: PaymentListQuery) {
  const limit = query.limit ?? 20;
  let q = trx.selectFrom('payments').selectAll().orderBy('id', 'desc').limit(limit + 1);
  if (query.starting_after) q = q.where('id', '<', query.starting_after);
  if (query.customer_id) q = q.where('customer_id', '=', query.customer_id);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.received_from) q = q.where('received_on', '>=', query.received_from);
  if (query.received_to) q = q.where('received_on', '<=', query.received_to);
  if (query.invoice_id) {
    const invoiceId = query.invoice_id;
    q = q.where('id', 'in', (eb) => eb.selectFrom('payment_allocations').select('payment_id').where('invoice_id', '=', invoiceId));
  }
  return q.execute();
}

/**
 * After a reversal reopens invoices: their reminders still to come, skipped because the invoice
 * was paid, become plannable again (the planner reschedules the steps its plan still has and
 * leaves the others canceled). Reminders whose time passed while the invoice was paid stay
 * skipped: a bounced payment does not release a burst of late messages.
 */
export async function releaseRemindersSkippedAsPaid(trx: Db, invoiceIds: readonly string[], now: Date): Promise<void> {
  if (invoiceIds.length === 0) return;
  await trx
    .updateTable('reminder_occurrences')
    .set({ status: 'canceled', skip_reason: null, updated_at: now })
    .where('invoice_id', 'in', invoiceIds)
    .where('status', '=', 'skipped')
    .where('skip_reason', '=', 'paid')
    .where('scheduled_at', '>', now)
    .execute();
}
