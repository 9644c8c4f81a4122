import { type Kysely, sql } from 'kysely';

// Every statement of the workers' tick reads only what it returns, however big the book:
// - due reminders: `scheduled` ones by their time, `sending` leases by their last attempt, each
//   on its own partial index (one index for both left `OR status = 'sending'` without a bound);
// - announcements: per account, open invoices not yet announced overdue (resp. due soon), by due
//   date; an announced invoice leaves the index, so the range up to the account's today holds
//   only the work;
// - late fees: per account, open invoices by the day their fees were last brought up to date (or
//   their due date), so the range before the account's today is exactly today's work;
// - planning: flagged invoices per account in id order, so the batch pick is a range, not a sort
//   of every flagged invoice.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX reminder_occurrences_due`.execute(db);
  await sql`CREATE INDEX reminder_occurrences_scheduled ON reminder_occurrences (scheduled_at) WHERE status = 'scheduled'`.execute(
    db,
  );
  await sql`CREATE INDEX reminder_occurrences_sending ON reminder_occurrences (updated_at) WHERE status = 'sending'`.execute(
    db,
  );
  await sql`
    CREATE INDEX invoices_overdue_unannounced ON invoices (account_id, due_date)
     WHERE status IN ('open', 'partially_paid') AND balance > 0 AND overdue_notified_at IS NULL`.execute(db);
  await sql`
    CREATE INDEX invoices_due_soon_unannounced ON invoices (account_id, due_date)
     WHERE status IN ('open', 'partially_paid') AND balance > 0 AND overdue_notified_at IS NULL AND due_soon_notified_at IS NULL`.execute(
    db,
  );
  await sql`
    CREATE INDEX invoices_late_fees_next ON invoices (account_id, (greatest(late_fees_accrued_on, due_date)))
     WHERE status IN ('open', 'partially_paid') AND balance > 0`.execute(db);
  await sql`DROP INDEX invoices_needs_replan`.execute(db);
  await sql`CREATE INDEX invoices_needs_replan ON invoices (account_id, id) WHERE needs_replan`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX invoices_needs_replan`.execute(db);
  await sql`CREATE INDEX invoices_needs_replan ON invoices (account_id) WHERE needs_replan`.execute(db);
  await sql`DROP INDEX invoices_late_fees_next`.execute(db);
  await sql`DROP INDEX invoices_due_soon_unannounced`.execute(db);
  await sql`DROP INDEX invoices_overdue_unannounced`.execute(db);
  await sql`DROP INDEX reminder_occurrences_sending`.execute(db);
  await sql`DROP INDEX reminder_occurrences_scheduled`.execute(db);
  await sql`CREATE INDEX reminder_occurrences_due ON reminder_occurrences (scheduled_at) WHERE status IN ('scheduled', 'sending')`.execute(
    db,
  );
}
