import type { Selectable } from 'kysely';
import type pg from 'pg';
import type { InvoiceRow } from '../invoices/invoice.repository.ts';
import { ACCOUNT_CONTEXT_CTE, ACCOUNT_SET } from '../../store/one-statement.ts';
import { isUniqueViolation } from '../../store/pg-errors.ts';
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

// ---------------------------------------------------------------------------------------------
// The hot path of `POST /v1/payments` with one explicit allocation: two prepared statements, two
// round trips, no explicit transaction. The first reads the invoice (and, when the payment may
// settle it, its pending reminders); the service applies the domain rules to what it read; the
// second writes everything in one statement on the condition that the invoice row is still the
// version read (its `xmin`). If it is not (a concurrent payment, reversal, void…), nothing is
// written and the service takes the locking path. Each statement sets the account for itself
// (store/one-statement.ts), like the invoice fast path.

const READ_FOR_PAYMENT_SQL = `
  WITH ${ACCOUNT_CONTEXT_CTE}
  SELECT i.*, i.xmin::text AS row_version,
    CASE WHEN i.balance <= $3 THEN coalesce((
      SELECT json_agg(json_build_object('id', o.id, 'invoice_id', o.invoice_id, 'step_id', o.step_id, 'repeat_index', o.repeat_index, 'offset_days', o.offset_days, 'channel', o.channel, 'template_key', o.template_key) ORDER BY o.id)
        FROM reminder_occurrences o
       WHERE o.account_id = i.account_id AND o.invoice_id = i.id AND o.status IN ('scheduled', 'held')
    ), '[]'::json) ELSE '[]'::json END AS pending_reminders
  FROM invoices i
  WHERE i.account_id = $1 AND i.id = $2 AND ${ACCOUNT_SET}`;

export interface PendingReminder {
  id: string;
  invoice_id: string;
  step_id: string;
  repeat_index: number;
  offset_days: number;
  channel: string;
  template_key: string | null;
}

export type InvoiceForPayment = InvoiceRow & { row_version: string; pending_reminders: PendingReminder[] };

/** The invoice a one-allocation payment names, read without a lock, with its row version. */
export async function readInvoiceForPayment(pool: pg.Pool, accountId: string, invoiceId: string, amount: number): Promise<InvoiceForPayment | undefined> {
  const result = await pool.query<InvoiceForPayment>({ name: 'relance_payment_read_v1', text: READ_FOR_PAYMENT_SQL, values: [accountId, invoiceId, amount] });
  return result.rows[0];
}

const WRITE_PAYMENT_SQL = `
  WITH ${ACCOUNT_CONTEXT_CTE},
  updated AS (
    UPDATE invoices i
       SET amount_paid = i.amount_paid + $3::bigint, status = $4, updated_at = $5, needs_replan = i.needs_replan OR $6::boolean
     WHERE i.account_id = $1 AND i.id = $2 AND i.xmin = $7::text::xid AND ${ACCOUNT_SET}
    RETURNING i.account_id
  ),
  payment AS (
    INSERT INTO payments (account_id, id, customer_id, amount, currency, received_on, method, reference, status, unallocated, metadata, created_at, updated_at)
    SELECT r.account_id, r.id, r.customer_id, r.amount, r.currency, r.received_on, r.method, r.reference, r.status, r.unallocated, r.metadata, r.created_at, r.updated_at
      FROM jsonb_populate_record(NULL::payments, $8::jsonb) r
     WHERE EXISTS (SELECT 1 FROM updated)
    RETURNING id
  ),
  allocation AS (
    INSERT INTO payment_allocations (account_id, id, payment_id, invoice_id, amount, created_at)
    SELECT r.account_id, r.id, r.payment_id, r.invoice_id, r.amount, r.created_at
      FROM jsonb_populate_record(NULL::payment_allocations, $9::jsonb) r
     WHERE EXISTS (SELECT 1 FROM payment)
  ),
  skipped AS (
    UPDATE reminder_occurrences o
       SET status = 'skipped', skip_reason = 'paid', updated_at = $5
     WHERE o.account_id = $1 AND o.id = ANY ($10::text[]) AND o.status IN ('scheduled', 'held') AND EXISTS (SELECT 1 FROM updated)
    RETURNING o.id
  ),
  event AS (
    INSERT INTO events (account_id, id, type, object_type, object_id, object_sequence, data, created_at)
    SELECT e.account_id, e.id, e.type, e.object_type, e.object_id,
           (SELECT coalesce(max(x.object_sequence), 0) + 1 FROM events x WHERE x.account_id = e.account_id AND x.object_id = e.object_id),
           e.data, e.created_at
      FROM jsonb_populate_recordset(NULL::events, $11::jsonb) e
     WHERE EXISTS (SELECT 1 FROM updated)
       AND (e.type <> 'reminder.skipped' OR e.object_id IN (SELECT id FROM skipped))
  )
  SELECT count(*)::int AS written FROM updated`;

export interface PaymentWrite {
  accountId: string;
  invoiceId: string;
  amount: number;
  status: string;
  now: Date;
  settles: boolean;
  rowVersion: string;
  payment: Record<string, unknown>;
  allocation: Record<string, unknown>;
  skipReminderIds: string[];
  events: Array<Record<string, unknown>>;
}

/**
 * Writes a one-allocation payment if the invoice is still the version read; false if it changed
 * (nothing written). Also false if an event about the invoice was committed after the statement's
 * snapshot by a writer that locked the row without changing it: the events' per-object sequence
 * is then taken (a unique violation), and the locking path, which waits for such writers, decides.
 */
export async function writePaymentIfUnchanged(pool: pg.Pool, w: PaymentWrite): Promise<boolean> {
  try {
    return await writeOnce(pool, w);
  } catch (error) {
    if (isUniqueViolation(error, 'events_object_sequence')) return false;
    throw error;
  }
}

async function writeOnce(pool: pg.Pool, w: PaymentWrite): Promise<boolean> {
  const result = await pool.query<{ written: number }>({
    name: 'relance_payment_write_v1',
    text: WRITE_PAYMENT_SQL,
    values: [
      w.accountId, w.invoiceId, w.amount, w.status, w.now, w.settles, w.rowVersion,
      JSON.stringify(w.payment), JSON.stringify(w.allocation), w.skipReminderIds, JSON.stringify(w.events),
    ],
  });
  return result.rows[0]?.written === 1;
}
