import { type Expression, type Insertable, type Selectable, type SqlBool, sql } from 'kysely';
import type { Database, Db } from '../../store/database.ts';
import type { Invoices } from '../../store/db-types.ts';
import { ACCOUNT_CONTEXT_CTE, ACCOUNT_SET } from '../../store/one-statement.ts';
import { newId } from '../../ids.ts';
import { metadataContains } from '../shared/index.ts';
import { CHASED_STATUSES_SQL, overdueState } from './invoice.rules.ts';
import type { Invoice, InvoiceListQuery, InvoiceStatus, InvoiceUpdate, LineItem } from './invoice.schemas.ts';

export type InvoiceRow = Selectable<Invoices>;

/** The pause in force today: the invoice's own, else its customer's (each ends after its date). */
function pauseOf(row: InvoiceRow, today: string): Invoice['pause'] {
  if (row.paused && (row.paused_until === null || row.paused_until >= today)) {
    return { until: row.paused_until, reason: row.pause_reason, source: 'invoice' };
  }
  if (row.customer_paused && (row.customer_paused_until === null || row.customer_paused_until >= today)) {
    return { until: row.customer_paused_until, reason: row.customer_pause_reason, source: 'customer' };
  }
  return null;
}

export function presentInvoice(row: InvoiceRow, today: string): Invoice {
  return {
    id: row.id,
    object: 'invoice',
    number: row.number,
    external_id: row.external_id,
    customer_id: row.customer_id,
    status: row.status as InvoiceStatus,
    currency: row.currency,
    subtotal: row.subtotal,
    tax: row.tax,
    total: row.total,
    late_fees: row.late_fees,
    late_fees_by_kind: { interest: row.late_fees_interest, recovery_fee: row.late_fees_recovery_fee },
    late_fees_skipped: row.late_fees_skipped as Invoice['late_fees_skipped'],
    einvoice_status: row.einvoice_status,
    einvoice_status_on: row.einvoice_status_on,
    amount_paid: row.amount_paid,
    amount_credited: row.amount_credited,
    balance: row.balance,
    issue_date: row.issue_date,
    due_date: row.due_date,
    ...overdueState(row, today),
    payment_terms_id: row.payment_terms_id,
    reminder_policy_id: row.reminder_policy_id,
    disputed: row.disputed,
    pause: pauseOf(row, today),
    promise_to_pay_on: row.promise_to_pay_on,
    active_payment_plan_id: row.active_payment_plan_id,
    payment_url: row.payment_url,
    pdf_url: row.pdf_url,
    memo: row.memo,
    metadata: row.metadata as Record<string, string>,
    line_items: row.line_items as LineItem[],
    finalized_at: row.finalized_at?.toISOString() ?? null,
    voided_at: row.voided_at?.toISOString() ?? null,
    marked_uncollectible_at: row.marked_uncollectible_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** The timestamp columns of `invoices`: Dates in a row read through the driver, strings in its JSON (`to_jsonb`). */
export const INVOICE_TIMESTAMP_COLUMNS = [
  'finalized_at',
  'voided_at',
  'marked_uncollectible_at',
  'created_at',
  'updated_at',
  'overdue_notified_at',
  'due_soon_notified_at',
  'catch_up_gap_until',
] as const satisfies ReadonlyArray<keyof InvoiceRow>;

/**
 * An invoice row from its JSON as Postgres writes it (`to_jsonb(invoices)`): the same values as
 * the driver reads (amounts as numbers, dates as 'YYYY-MM-DD'), timestamps made Dates again.
 */
export function invoiceRowFromJson(json: Record<string, unknown>): InvoiceRow {
  const row: Record<string, unknown> = { ...json };
  for (const column of INVOICE_TIMESTAMP_COLUMNS) {
    const value = row[column];
    if (typeof value === 'string') row[column] = new Date(value);
  }
  return row as InvoiceRow;
}

/**
 * Locks invoices in id order, the one order every payment and the reminder sender take them in, so two payments over
 * the same invoices wait for each other instead of deadlocking. Once a payment
 * commits, no reminder of these invoices is claimed on the old state.
 */
export const lockInvoices = async (trx: Db, ids: readonly string[]) =>
  ids.length === 0
    ? []
    : trx.selectFrom('invoices').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();

export const findInvoice = (trx: Db, id: string, options: { forUpdate?: boolean } = {}) => {
  const q = trx.selectFrom('invoices').selectAll().where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
};

/** The invoice registered under an external_id, if any. */
export const findInvoiceByExternalId = (trx: Db, externalId: string) =>
  trx.selectFrom('invoices').selectAll().where('external_id', '=', externalId).executeTakeFirst();

/** The payment terms an invoice of this customer follows when it names none: the customer's, else the account's default. */
export const defaultTermsOf = (trx: Db, accountId: string, customerId: string) =>
  trx
    .selectFrom('accounts')
    .leftJoin('customers', (join) => join.on('customers.id', '=', customerId))
    .select(['customers.payment_terms_id as customer_terms', 'accounts.default_payment_terms_id as account_terms'])
    .where('accounts.id', '=', accountId)
    .executeTakeFirst();

/** The currency of the transaction's account, for an invoice that names none. */
export const accountDefaultCurrency = async (trx: Db): Promise<string> =>
  (await trx.selectFrom('accounts').select('default_currency').executeTakeFirstOrThrow()).default_currency;

/** Moves an invoice to `status`, stamping the moment in `stampColumn`. */
export const setInvoiceStatus = (
  trx: Db,
  id: string,
  change: {
    status: InvoiceStatus;
    stampColumn: 'finalized_at' | 'voided_at' | 'marked_uncollectible_at';
    now: Date;
  },
) =>
  trx
    .updateTable('invoices')
    .set({ status: change.status, [change.stampColumn]: change.now, updated_at: change.now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** Adds (`+`) or takes back (`-`) an amount paid on an invoice, with its new status. */
export const changeAmountPaid = (
  trx: Db,
  id: string,
  change: { op: '+' | '-'; amount: number; status: string; now: Date },
) =>
  trx
    .updateTable('invoices')
    .set((eb) => ({
      amount_paid: eb('amount_paid', change.op, change.amount),
      status: change.status,
      updated_at: change.now,
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** An invoice now follows a payment plan. */
export const attachPlan = (trx: Db, invoiceId: string, planId: string, now: Date) =>
  trx
    .updateTable('invoices')
    .set({ active_payment_plan_id: planId, updated_at: now })
    .where('id', '=', invoiceId)
    .execute();

/** An invoice no longer follows its ended plan; late fees are brought up to date at the next tick, even one later today. */
export const detachPlan = (trx: Db, invoiceId: string, planId: string, now: Date) =>
  trx
    .updateTable('invoices')
    .set({ active_payment_plan_id: null, late_fees_accrued_on: null, updated_at: now })
    .where('id', '=', invoiceId)
    .where('active_payment_plan_id', '=', planId)
    .execute();

/** Locks an invoice, reading only what it still owes. */
export const lockInvoiceBalance = (trx: Db, id: string) =>
  trx.selectFrom('invoices').select(['status', 'balance']).where('id', '=', id).forUpdate().executeTakeFirst();

/** What an edit of a draft writes: the fields given, and what was recomputed from them. */
export interface InvoiceEdit {
  scalars: Omit<InvoiceUpdate, 'line_items' | 'metadata'>;
  amounts: { subtotal: number; tax: number; total: number; line_items: LineItem[] } | undefined;
  metadata: InvoiceUpdate['metadata'];
  /** Another customer, whose pause, if any, now shows on the invoice; undefined: the same one. */
  newCustomerId: string | undefined;
  issue_date: string;
  due_date: string;
  payment_terms_id: string | null;
  now: Date;
}

/** Writes an edit of a draft invoice. */
export const updateInvoice = (trx: Db, id: string, edit: InvoiceEdit) => {
  const { scalars, amounts, metadata } = edit;
  const customerId = edit.newCustomerId;
  return trx
    .updateTable('invoices')
    .set({
      ...scalars,
      ...(amounts && {
        subtotal: amounts.subtotal,
        tax: amounts.tax,
        total: amounts.total,
        line_items: JSON.stringify(amounts.line_items),
      }),
      ...(metadata !== undefined && { metadata: JSON.stringify(metadata) }),
      ...(customerId !== undefined && {
        customer_paused: (eb) =>
          eb.fn.coalesce(eb.selectFrom('customers').select('paused').where('id', '=', customerId), eb.val(false)),
        customer_paused_until: (eb) => eb.selectFrom('customers').select('paused_until').where('id', '=', customerId),
        customer_pause_reason: (eb) => eb.selectFrom('customers').select('pause_reason').where('id', '=', customerId),
      }),
      issue_date: edit.issue_date,
      due_date: edit.due_date,
      payment_terms_id: edit.payment_terms_id,
      updated_at: edit.now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
};

/**
 * Inserts an invoice and, when it is new, its `invoice.created` event, and queues it for the
 * reminder planner if it is open. With an external_id already registered nothing is written and
 * `undefined` is returned.
 */
export async function insertInvoiceOnce(
  trx: Db,
  values: Insertable<Invoices>,
  event: (row: InvoiceRow) => unknown,
): Promise<InvoiceRow | undefined> {
  const customerPause = trx.selectFrom('customers').where('id', '=', String(values.customer_id));
  const row = await trx
    .insertInto('invoices')
    .values({
      ...values,
      // The customer's pause shows on its invoices (see the pause service).
      customer_paused: (eb) => eb.fn.coalesce(customerPause.select('paused'), eb.val(false)),
      customer_paused_until: customerPause.select('paused_until'),
      customer_pause_reason: customerPause.select('pause_reason'),
    })
    .onConflict((oc) => oc.columns(['account_id', 'external_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  await trx
    .insertInto('events')
    .values({
      account_id: row.account_id,
      id: newId('event'),
      type: 'invoice.created',
      object_type: 'invoice',
      object_id: row.id,
      // The first event of a new invoice.
      object_sequence: 1,
      data: JSON.stringify(event(row)),
      created_at: row.created_at,
    })
    .execute();
  // The planner picks it up within seconds; registering stays cheap.
  if (row.status === 'open')
    await trx
      .insertInto('invoice_replans')
      .values({ account_id: row.account_id, invoice_id: row.id, flagged_at: row.created_at })
      .execute();
  return row;
}

/**
 * One page of invoices, filtered; `overdue` is computed against `today`. Newest first, or, when
 * filtered by due date, latest due date first (then newest): a keyset on (due_date, id) that the
 * indexes `invoices_due_date` and `invoices_open_due` (open invoices, for `overdue`) read in
 * order, so a page reads about a page of rows however many invoices lie outside the filter.
 * Built for `Database.readAsAccount` (one statement), whose `accountSet` it carries.
 */
export function listInvoices(
  db: Db,
  accountId: string,
  query: InvoiceListQuery,
  today: string,
  accountSet: Expression<SqlBool>,
) {
  const limit = query.limit ?? 20;
  const byDueDate = query.due_date_from !== undefined || query.due_date_to !== undefined;
  let q = db
    .selectFrom('invoices')
    .selectAll()
    .where(accountSet)
    .where('account_id', '=', accountId)
    .limit(limit + 1);
  q = byDueDate ? q.orderBy('due_date', 'desc').orderBy('id', 'desc') : q.orderBy('id', 'desc');
  if (query.starting_after) {
    const cursor = query.starting_after;
    q = byDueDate
      ? q.where(
          sql<boolean>`(due_date, id) < (SELECT c.due_date, c.id FROM invoices c WHERE c.account_id = ${accountId} AND c.id = ${cursor})`,
        )
      : q.where('id', '<', cursor);
  }
  if (query.status) q = q.where('status', '=', query.status);
  if (query.customer_id) q = q.where('customer_id', '=', query.customer_id);
  if (query.external_id) q = q.where('external_id', '=', query.external_id);
  if (query.metadata && Object.keys(query.metadata).length > 0) q = q.where(metadataContains(query.metadata));
  if (query.due_date_from) q = q.where('due_date', '>=', query.due_date_from);
  if (query.due_date_to) q = q.where('due_date', '<=', query.due_date_to);
  if (query.overdue !== undefined) {
    const overdue = sql<boolean>`(status IN (${CHASED_STATUSES_SQL}) AND balance > 0 AND due_date < ${today}::date)`;
    q = q.where(query.overdue ? overdue : sql<boolean>`NOT ${overdue}`);
  }
  return q;
}

export interface NewInvoiceValues {
  account_id: string;
  id: string;
  number: string;
  external_id: string | null;
  customer_id: string;
  status: string;
  currency: string;
  subtotal: number;
  tax: number;
  total: number;
  issue_date: string;
  due_date: string;
  payment_terms_id: string | null;
  reminder_policy_id: string | null;
  payment_url: string | null;
  pdf_url: string | null;
  memo: string | null;
  metadata: Record<string, string>;
  line_items: LineItem[];
  finalized_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Every column of `invoices` and where a new invoice's value comes from, on both paths of
 * creation: `given` by the service (`NewInvoiceValues`), copied from its `customer` by the insert,
 * or the column's `default` (a new invoice has no plan, payment, fee, pause or notice yet).
 * `satisfies` makes it exhaustive: a column added by a migration fails `tsc` here until it is
 * placed, so the one-statement path cannot silently drop it.
 */
const NEW_INVOICE_COLUMN_SOURCES = {
  account_id: 'given',
  id: 'given',
  number: 'given',
  external_id: 'given',
  customer_id: 'given',
  status: 'given',
  currency: 'given',
  subtotal: 'given',
  tax: 'given',
  total: 'given',
  issue_date: 'given',
  due_date: 'given',
  payment_terms_id: 'given',
  reminder_policy_id: 'given',
  payment_url: 'given',
  pdf_url: 'given',
  memo: 'given',
  metadata: 'given',
  line_items: 'given',
  finalized_at: 'given',
  created_at: 'given',
  updated_at: 'given',
  customer_paused: 'customer',
  customer_paused_until: 'customer',
  customer_pause_reason: 'customer',
  active_payment_plan_id: 'default',
  amount_credited: 'default',
  amount_paid: 'default',
  balance: 'default',
  disputed: 'default',
  due_soon_notified_at: 'default',
  einvoice_status: 'default',
  einvoice_status_on: 'default',
  catch_up_gap_until: 'default',
  late_fees: 'default',
  late_fees_accrued_on: 'default',
  late_fees_interest: 'default',
  late_fees_recovery_fee: 'default',
  late_fees_skipped: 'default',
  marked_uncollectible_at: 'default',
  number_digits: 'default',
  overdue_notified_at: 'default',
  pause_reason: 'default',
  paused: 'default',
  paused_until: 'default',
  payment_claimed_until: 'default',
  promise_to_pay_on: 'default',
  voided_at: 'default',
} as const satisfies Record<keyof Invoices, 'given' | 'customer' | 'default'>;

type Sources = typeof NEW_INVOICE_COLUMN_SOURCES;
type GivenColumn = { [K in keyof Sources]: Sources[K] extends 'given' ? K : never }[keyof Sources];
/** True only when A and B are the same set of names. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// NewInvoiceValues has exactly the `given` columns: one added to either side alone fails `tsc`.
const givenColumnsAreTheNewValues: SameNames<GivenColumn, keyof NewInvoiceValues> = true;
void givenColumnsAreTheNewValues;

const NEW_INVOICE_COLUMNS = (Object.keys(NEW_INVOICE_COLUMN_SOURCES) as Array<keyof Sources>).filter(
  (column): column is GivenColumn => NEW_INVOICE_COLUMN_SOURCES[column] === 'given',
);

// A constant text, so each connection plans it once (a named prepared statement).
const INSERT_INVOICE_SQL = `
  WITH ${ACCOUNT_CONTEXT_CTE},
  inserted AS (
    INSERT INTO invoices (${NEW_INVOICE_COLUMNS.join(', ')}, customer_paused, customer_paused_until, customer_pause_reason)
    SELECT ${NEW_INVOICE_COLUMNS.map((c) => `r.${c}`).join(', ')}, coalesce(c.paused, false), c.paused_until, c.pause_reason
      FROM account_context, jsonb_populate_record(NULL::invoices, $2::jsonb) AS r
      LEFT JOIN LATERAL (
        SELECT paused, paused_until, pause_reason FROM customers WHERE account_id = $1 AND id = $5 AND ${ACCOUNT_SET}
      ) c ON true
    ON CONFLICT (account_id, external_id) DO NOTHING
    RETURNING *
  ),
  event AS (
    INSERT INTO events (account_id, id, type, object_type, object_id, object_sequence, data, data_form, data_day, created_at)
    SELECT i.account_id, $3, 'invoice.created', 'invoice', i.id, 1, to_jsonb(i), 'invoice_row', $4::date, i.created_at FROM inserted i
  ),
  queued AS (
    INSERT INTO invoice_replans (account_id, invoice_id, flagged_at)
    SELECT i.account_id, i.id, i.created_at FROM inserted i WHERE i.status = 'open'
  )
  SELECT * FROM inserted`;

/**
 * The hot path of registering an invoice: the account context, the invoice, its
 * `invoice.created` event and, if it is open, its row in the planner's queue, in ONE prepared
 * statement (one round trip, its own transaction; the statement sets the account for itself, in
 * a CTE its rows depend on). The event stores the row
 * as inserted (`data_form = 'invoice_row'`, shown as of `today`), the customer's pause included.
 * Returns undefined when the external_id is already registered (nothing is written then).
 */
export async function insertInvoiceInOneStatement(
  database: Database,
  values: NewInvoiceValues,
  event: { id: string; today: string },
): Promise<InvoiceRow | undefined> {
  const record = JSON.stringify(values);
  const result = await database.pool.query<InvoiceRow>({
    name: 'relance_insert_invoice_v4',
    text: INSERT_INVOICE_SQL,
    values: [values.account_id, record, event.id, event.today, values.customer_id],
  });
  return result.rows[0];
}

/** Invoices by id (for `Database.readAsAccount`); unknown ids are left out. */
export const invoicesByIds = (db: Db, accountSet: Expression<SqlBool>, ids: readonly string[]) =>
  db.selectFrom('invoices').selectAll().where(accountSet).where('id', 'in', ids);

/**
 * One page of invoices (newest first) for each of these customers, in one statement (for
 * `Database.readAsAccount`): a window numbers each customer's invoices and keeps `limit + 1` of
 * them (to know whether more follow).
 */
export function invoicePagesOfCustomers(
  db: Db,
  accountSet: Expression<SqlBool>,
  customerIds: readonly string[],
  page: { limit: number; starting_after?: string | undefined },
) {
  let inner = db
    .selectFrom('invoices')
    .selectAll()
    .select(sql<number>`row_number() OVER (PARTITION BY customer_id ORDER BY id DESC)`.as('rank_in_customer'))
    .where(accountSet)
    .where('customer_id', 'in', customerIds);
  if (page.starting_after) inner = inner.where('id', '<', page.starting_after);
  return db
    .selectFrom(inner.as('ranked'))
    .selectAll()
    .where('rank_in_customer', '<=', page.limit + 1)
    .orderBy('customer_id')
    .orderBy('id', 'desc');
}
