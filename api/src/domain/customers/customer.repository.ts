import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { Customers } from '../../store/db-types.ts';
import { activePause } from './customer.rules.ts';
import type { Customer } from './customer.schemas.ts';

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
export const customersByIds = (trx: Db, ids: readonly string[]) =>
  trx.selectFrom('customers').selectAll().where('id', 'in', ids).execute();

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
