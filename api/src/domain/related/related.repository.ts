import type { Expression, SqlBool } from 'kysely';
import type { Db } from '../../store/database.ts';

// Batch reads of customers and late-fee lines for REST expand and GraphQL nesting: one statement
// each, for `Database.readAsAccount`. Invoices, payments and messages are read by their modules.

/** Customers by id; unknown ids are left out. */
export const customersByIds = (db: Db, accountSet: Expression<SqlBool>, ids: readonly string[]) =>
  db.selectFrom('customers').selectAll().where(accountSet).where('id', 'in', ids);

/** The late-fee lines of these invoices, oldest first (waived ones included). */
export const feesOfInvoices = (db: Db, accountSet: Expression<SqlBool>, invoiceIds: readonly string[]) =>
  db.selectFrom('invoice_fees').selectAll().where(accountSet).where('invoice_id', 'in', invoiceIds).orderBy('id');
