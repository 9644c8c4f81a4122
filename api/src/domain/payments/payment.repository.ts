import { type Expression, type Insertable, type Selectable, type SqlBool, sql } from 'kysely';
import type pg from 'pg';
import { ACCOUNT_CONTEXT_CTE, ACCOUNT_SET } from '../../store/one-statement.ts';
import { isUniqueViolation } from '../../store/pg-errors.ts';
import type { Db } from '../../store/database.ts';
import type { PaymentAllocations, Payments } from '../../store/db-types.ts';
import { PAYABLE_STATUSES } from './payment.rules.ts';
import type { Payment, PaymentListQuery, PaymentMethod, PaymentStatus } from './payment.schemas.ts';
import { keysetPage, metadataContains, REPLAN_ON_CONFLICT } from '../shared/index.ts';

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
  paymentIds.length === 0
    ? []
    : trx.selectFrom('payment_allocations').selectAll().where('payment_id', 'in', paymentIds).execute();

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

/** The customer a payment is from, if the account has it. */
export const findPayingCustomer = (trx: Db, customerId: string) =>
  trx.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst();

export const insertPayment = (trx: Db, values: Insertable<Payments>) =>
  trx.insertInto('payments').values(values).returningAll().executeTakeFirstOrThrow();

export const insertAllocations = (trx: Db, values: readonly Insertable<PaymentAllocations>[]) =>
  trx.insertInto('payment_allocations').values(values).returningAll().execute();

/** What is left of a payment after allocating some of its credit. */
export const setUnallocated = (trx: Db, id: string, unallocated: number, now: Date) =>
  trx
    .updateTable('payments')
    .set({ unallocated, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** Marks the allocations of a payment still in force as reversed. */
export const reverseAllocationsOf = (trx: Db, paymentId: string, now: Date) =>
  trx
    .updateTable('payment_allocations')
    .set({ reversed: true, reversed_at: now })
    .where('payment_id', '=', paymentId)
    .where('reversed', '=', false)
    .execute();

/** Marks a payment reversed; its remaining credit is gone. */
export const markPaymentReversed = (trx: Db, id: string, reason: string, now: Date) =>
  trx
    .updateTable('payments')
    .set({ status: 'reversed', reversal_reason: reason, reversed_at: now, unallocated: 0, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** One page of payments, newest first, filtered. */
export function listPayments(trx: Db, query: PaymentListQuery) {
  let q = keysetPage(trx.selectFrom('payments').selectAll(), query);
  if (query.customer_id) q = q.where('customer_id', '=', query.customer_id);
  if (query.metadata && Object.keys(query.metadata).length > 0) q = q.where(metadataContains(query.metadata));
  if (query.status) q = q.where('status', '=', query.status);
  if (query.received_from) q = q.where('received_on', '>=', query.received_from);
  if (query.received_to) q = q.where('received_on', '<=', query.received_to);
  if (query.invoice_id) {
    const invoiceId = query.invoice_id;
    q = q.where('id', 'in', (eb) =>
      eb.selectFrom('payment_allocations').select('payment_id').where('invoice_id', '=', invoiceId),
    );
  }
  return q.execute();
}

/** An allocation as `to_jsonb` writes it: timestamps as text. */
type AllocationJson = Omit<AllocationRow, 'created_at' | 'reversed_at'> & {
  created_at: string;
  reversed_at: string | null;
};

const allocationFromJson = (a: AllocationJson): AllocationRow => ({
  ...a,
  created_at: new Date(a.created_at),
  reversed_at: a.reversed_at === null ? null : new Date(a.reversed_at),
});

/**
 * The payments allocated (now or once) to these invoices, newest first, each with all of its
 * allocations (a payment may also pay other invoices) gathered by Postgres: one statement, for
 * `Database.readAsAccount`; `presentPaymentWithAllocations` presents its rows.
 */
export const paymentsOfInvoices = (db: Db, accountSet: Expression<SqlBool>, invoiceIds: readonly string[]) =>
  db
    .selectFrom('payments')
    .selectAll('payments')
    .select(
      sql<
        AllocationJson[]
      >`(SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.id), '[]'::jsonb) FROM payment_allocations a WHERE a.payment_id = payments.id)`.as(
        'allocation_rows',
      ),
    )
    .where(accountSet)
    .where('payments.id', 'in', (eb) =>
      eb.selectFrom('payment_allocations').select('payment_id').where('invoice_id', 'in', invoiceIds),
    )
    .orderBy('payments.id', 'desc');

/** A row of `paymentsOfInvoices` as the API shows a payment. */
export const presentPaymentWithAllocations = ({
  allocation_rows,
  ...row
}: PaymentRow & { allocation_rows: AllocationJson[] }): Payment =>
  presentPayment(row, allocation_rows.map(allocationFromJson));

// ---------------------------------------------------------------------------------------------
// The hot path of `POST /v1/payments` with one explicit allocation: ONE prepared statement, one
// round trip, no explicit transaction. It updates the invoice only if the allocation rules let
// the payment in (same customer and currency, open or partially paid, enough balance, no
// payment plan), which the UPDATE checks again on the row it locks, so racing payments never
// take more than the balance; then it writes the payment, its allocation and the two events.
// The invoice's event stores the row as the statement left it (`data_form = 'invoice_row'`),
// shown as the API shows an invoice when the event is read, so nothing needs to be read first.
// An invoice it settles is queued for a replan (`invoice_replans`), as the invoice fast path
// queues new invoices: its pending reminders are skipped (with their `reminder.skipped` events) by whichever comes
// first, the workers' planner, the sender (which replans a queued invoice under its lock before
// sending anything) or a read of its timeline; none of them can send a reminder of a paid invoice.
// If the rules do not let the payment in, nothing is written and the service takes the locking
// path, which reports the refusal exactly as always. The statement sets the account for itself
// (store/one-statement.ts), like the invoice fast path.

// The UPDATE holds the rules of `checkAllocations` for one allocation, and its new status is
// `statusAfterPayments` for a payable invoice (money in force, so paid or partially paid); the
// tests hold this path and the locking one to the same results and the same refusals.
//
// Each column of the two rows it inserts, with its value in the statement, or null for the
// column's default. `satisfies` makes the lists exhaustive: a column added by a migration fails
// `tsc` here until it is given a value or left to its default on purpose.
const PAYMENT_VALUES = {
  account_id: '$1',
  id: '$8',
  customer_id: '$4',
  amount: '$9::bigint',
  currency: '$5',
  received_on: '$10::date',
  method: '$11',
  reference: '$12',
  status: "'succeeded'",
  unallocated: '$9::bigint - $3::bigint',
  metadata: '$13::jsonb',
  created_at: '$6',
  updated_at: '$6',
  reversal_reason: null,
  reversed_at: null,
} as const satisfies Record<keyof Payments, string | null>;
const ALLOCATION_VALUES = {
  account_id: '$1',
  id: '$14',
  payment_id: 'p.id',
  invoice_id: '$2',
  amount: '$3::bigint',
  created_at: '$6',
  reversed: null,
  reversed_at: null,
} as const satisfies Record<keyof PaymentAllocations, string | null>;
const given = (values: Record<string, string | null>) =>
  Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== null);
const columnsOf = (values: Record<string, string | null>) =>
  given(values)
    .map(([column]) => column)
    .join(', ');
const valuesOf = (values: Record<string, string | null>) =>
  given(values)
    .map(([, value]) => value)
    .join(', ');

const WRITE_PAYMENT_SQL = `
  WITH ${ACCOUNT_CONTEXT_CTE},
  updated AS (
    UPDATE invoices i
       SET amount_paid = i.amount_paid + $3::bigint,
           status = CASE WHEN i.balance <= $3::bigint THEN 'paid' ELSE 'partially_paid' END,
           updated_at = $6
     WHERE i.account_id = $1 AND i.id = $2 AND ${ACCOUNT_SET}
       AND i.customer_id = $4 AND i.currency = $5 AND i.status IN (${PAYABLE_STATUSES.map((s) => `'${s}'`).join(', ')}) AND i.balance >= $3::bigint
       AND i.active_payment_plan_id IS NULL
       -- The customer said it paid (an open payment claim): the general path confirms the claim.
       AND i.payment_claimed_until IS NULL
       -- An invoice on an e-invoicing platform also reports its collection (invoice.collected): the general path.
       AND i.einvoice_status IS NULL
    RETURNING i.*
  ),
  payment AS (
    INSERT INTO payments (${columnsOf(PAYMENT_VALUES)})
    SELECT ${valuesOf(PAYMENT_VALUES)}
     WHERE EXISTS (SELECT 1 FROM updated)
    RETURNING id
  ),
  allocation AS (
    INSERT INTO payment_allocations (${columnsOf(ALLOCATION_VALUES)})
    SELECT ${valuesOf(ALLOCATION_VALUES)}
      FROM payment p
  ),
  event AS (
    INSERT INTO events (account_id, id, type, object_type, object_id, object_sequence, data, data_form, data_day, created_at)
    SELECT $1, $16, CASE WHEN u.status = 'paid' THEN 'invoice.paid' ELSE 'invoice.partially_paid' END, 'invoice', u.id,
           (SELECT coalesce(max(x.object_sequence), 0) + 1 FROM events x WHERE x.account_id = $1 AND x.object_id = u.id),
           to_jsonb(u), 'invoice_row', $7::date, $6
      FROM updated u
    UNION ALL
    SELECT $1, $17, 'payment.received', 'payment', p.id, 1, $15::jsonb, 'snapshot', NULL, $6
      FROM payment p
  ),
  queued AS (
    INSERT INTO invoice_replans (account_id, invoice_id, flagged_at)
    SELECT u.account_id, u.id, $6::timestamptz FROM updated u WHERE u.status = 'paid'
    ${REPLAN_ON_CONFLICT}
  )
  SELECT count(*)::int AS written FROM updated`;

export interface PaymentWrite {
  accountId: string;
  invoiceId: string;
  /** What the allocation gives the invoice. */
  amount: number;
  customerId: string;
  currency: string;
  now: Date;
  today: string;
  payment: Pick<PaymentRow, 'id' | 'amount' | 'received_on' | 'method' | 'reference' | 'metadata'>;
  allocationId: string;
  /** The `payment.received` event's data. */
  paymentEvent: unknown;
  /** The ids of the invoice's event and of the payment's. */
  eventIds: [string, string];
}

/**
 * Writes a one-allocation payment if the rules let it in (see above); false if not (nothing
 * written). Also false if an event about the invoice was committed after the statement's
 * snapshot by a writer that held the row: the events' per-object sequence is then taken (a unique
 * violation), and the locking path, which waits for such writers, decides.
 */
export async function writePaymentIfAllowed(pool: pg.Pool, w: PaymentWrite): Promise<boolean> {
  try {
    const result = await pool.query<{ written: number }>({
      name: 'relance_payment_write_v5',
      text: WRITE_PAYMENT_SQL,
      values: [
        w.accountId,
        w.invoiceId,
        w.amount,
        w.customerId,
        w.currency,
        w.now,
        w.today,
        w.payment.id,
        w.payment.amount,
        w.payment.received_on,
        w.payment.method,
        w.payment.reference,
        JSON.stringify(w.payment.metadata),
        w.allocationId,
        JSON.stringify(w.paymentEvent),
        w.eventIds[0],
        w.eventIds[1],
      ],
    });
    return result.rows[0]?.written === 1;
  } catch (error) {
    if (isUniqueViolation(error, 'events_object_sequence')) return false;
    throw error;
  }
}
