import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { Customers } from '../../store/db-types.ts';
import { CHASED_STATUSES_SQL, keysetPage, metadataContains, queueForReplan } from '../shared/index.ts';
import { activePause } from './customer.rules.ts';
import type { Customer, CustomerListQuery } from './customer.schemas.ts';

export type CustomerRow = Selectable<Customers>;

/**
 * The customer as the API shows it. `today` (in the account's time zone) hides a pause whose
 * last day has passed; without it the stored pause is shown as it is.
 */
export const presentCustomer = (row: CustomerRow, today?: string): Customer => ({
  id: row.id,
  object: 'customer',
  external_id: row.external_id,
  name: row.name,
  email: row.email,
  cc_emails: row.cc_emails,
  contact_name: row.contact_name,
  kind: row.kind === 'consumer' ? 'consumer' : 'business',
  legal_name: row.legal_name,
  registration_number: row.registration_number,
  vat_number: row.vat_number,
  billing_address: row.billing_address as Customer['billing_address'],
  phone: row.phone,
  mobile: row.mobile,
  locale: row.locale,
  time_zone: row.time_zone,
  payment_terms_id: row.payment_terms_id,
  reminder_policy_id: row.reminder_policy_id,
  pause:
    today === undefined
      ? row.paused
        ? { until: row.paused_until, reason: row.pause_reason }
        : null
      : activePause(row, today),
  metadata: row.metadata as Record<string, string>,
  erased_at: row.erased_at?.toISOString() ?? null,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

export const findCustomer = (trx: Db, id: string, options: { forUpdate?: boolean } = {}) =>
  trx
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', id)
    .$if(options.forUpdate === true, (q) => q.forUpdate())
    .executeTakeFirst();

/** The customers among these ids (in no particular order). */
/** The customers of these ids (none for none: `IN ()` is not SQL). */
export const customersByIds = async (trx: Db, ids: readonly string[]) =>
  ids.length === 0 ? [] : trx.selectFrom('customers').selectAll().where('id', 'in', ids).execute();

/**
 * Inserts a customer unless one with the same external_id exists; returns the row and
 * whether it was created. Safe under concurrency: the unique key decides.
 */
export async function insertCustomerOnce(
  trx: Db,
  values: Insertable<Customers>,
): Promise<{ row: CustomerRow; created: boolean }> {
  const inserted = await trx
    .insertInto('customers')
    .values(values)
    .onConflict((oc) => oc.columns(['account_id', 'external_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await trx
    .selectFrom('customers')
    .selectAll()
    .where('external_id', '=', String(values.external_id))
    .executeTakeFirstOrThrow();
  return { row: existing, created: false };
}

/** One page of customers, newest first, filtered. */
export function listCustomers(trx: Db, query: CustomerListQuery) {
  let q = keysetPage(trx.selectFrom('customers').selectAll(), query);
  if (query.external_id) q = q.where('external_id', '=', query.external_id);
  if (query.email) q = q.where('email', '=', query.email);
  if (query.metadata && Object.keys(query.metadata).length > 0) q = q.where(metadataContains(query.metadata));
  return q.execute();
}

/** Updates a customer; undefined if there is none with this id. */
export const updateCustomer = (trx: Db, id: string, set: Updateable<Customers>) =>
  trx.updateTable('customers').set(set).where('id', '=', id).returningAll().executeTakeFirst();

/** Deletes a customer; undefined if there is none with this id (one with invoices fails on their key). */
export const deleteCustomer = (trx: Db, id: string) =>
  trx.deleteFrom('customers').where('id', '=', id).returningAll().executeTakeFirst();

/** The account's billing address (the region of a mobile number given without a country). */
export const accountBillingAddress = (trx: Db) =>
  trx.selectFrom('accounts').select('billing_address').executeTakeFirst();

/**
 * Queues the customer's chased invoices for the planner to replan (all of them, or only those
 * following the customer's policy, having none of their own).
 */
export async function markCustomerInvoicesForReplan(
  trx: Db,
  customer: { accountId: string; id: string },
  which: 'all' | 'following_customer_policy',
  now: Date,
): Promise<void> {
  await queueForReplan(sql`
    SELECT i.account_id, i.id, ${now}::timestamptz FROM invoices i
     WHERE i.account_id = ${customer.accountId} AND i.customer_id = ${customer.id}
       AND i.status IN (${CHASED_STATUSES_SQL})${which === 'following_customer_policy' ? sql` AND i.reminder_policy_id IS NULL` : sql``}`).execute(
    trx,
  );
}

/** Sets (or lifts) the customer's pause; returns the row. */
export const setCustomerPauseRow = (
  trx: Db,
  id: string,
  pause: { paused: boolean; paused_until: string | null; pause_reason: string | null },
  now: Date,
) =>
  trx
    .updateTable('customers')
    .set({ ...pause, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
