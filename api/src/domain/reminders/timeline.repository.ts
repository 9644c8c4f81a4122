import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';

// The timeline's and the test clock's reads and writes on the account's invoices and data, with
// the caller's transaction first.

/** These invoices, those that exist. */
export const invoicesOfTimelines = (trx: Db, ids: readonly string[]) =>
  trx
    .selectFrom('invoices')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();

/** Whether the transaction's account has any invoice. */
export const hasAnyInvoice = async (trx: Db): Promise<boolean> =>
  (await trx.selectFrom('invoices').select('id').limit(1).executeTakeFirst()) !== undefined;

/**
 * What a reset deletes, children first: everything that happened on the account. Its settings
 * stay (API keys, payment terms, reminder policies, templates, webhook endpoints).
 */
const TEST_DATA_TABLES = [
  'webhook_attempts',
  'webhook_deliveries',
  'events',
  'bank_transaction_matches',
  'bank_transactions',
  'payment_allocations',
  'payments',
  'payment_plan_installments',
  'payment_plans',
  'invoice_fees',
  'tasks',
  'documents',
  'disputes',
  'messages',
  'reminder_occurrences',
  'invoices',
  'statement_mailings',
  'customers',
  'email_suppressions',
  'idempotency_keys',
] as const;

/** Deletes everything that happened on a test account, children first; its settings stay. */
export async function deleteTestData(trx: Db, accountId: string): Promise<void> {
  for (const table of TEST_DATA_TABLES) await trx.deleteFrom(table).where('account_id', '=', accountId).execute();
}

/** Monthly statements start over from `at` (after a reset of the test clock). */
export async function restartMonthlyStatements(trx: Db, accountId: string, at: Date): Promise<void> {
  await trx
    .updateTable('accounts')
    .set({
      monthly_statements_done: null,
      monthly_statements_since: sql`CASE WHEN monthly_statements THEN ${at}::timestamptz END`,
    })
    .where('id', '=', accountId)
    .execute();
}
