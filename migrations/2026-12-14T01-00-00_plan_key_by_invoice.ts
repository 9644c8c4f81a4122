import { type Kysely, sql } from 'kysely';

// The plan key led with the account and an MD5 digest: every reminder the planner wrote landed on
// a random page of that index, and a large book's index outgrows the buffer cache, so planning
// read and dirtied a page per reminder. Led by the invoice, the reminders of a batch of invoices
// (planned in id order) land side by side. The digest of the same key follows it, unchanged (the
// retention's tombstones hold those digests), and the index now serves the lookups by invoice,
// so `reminder_occurrences_invoice (account_id, invoice_id)` goes: one index fewer to write.
const KEY = sql`(md5(invoice_id || '/' || step_id || '/' || repeat_index::text || '/' || coalesce(payment_plan_id, '') || '/' || installment_number::text)::uuid)`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE UNIQUE INDEX reminder_occurrences_plan_key_by_invoice ON reminder_occurrences (account_id, invoice_id, ${KEY})`.execute(
    db,
  );
  await sql`DROP INDEX reminder_occurrences_plan_key`.execute(db);
  await sql`ALTER INDEX reminder_occurrences_plan_key_by_invoice RENAME TO reminder_occurrences_plan_key`.execute(db);
  await sql`DROP INDEX reminder_occurrences_invoice`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX reminder_occurrences_invoice ON reminder_occurrences (account_id, invoice_id)`.execute(db);
  await sql`CREATE UNIQUE INDEX reminder_occurrences_plan_digest ON reminder_occurrences (account_id, ${KEY})`.execute(
    db,
  );
  await sql`DROP INDEX reminder_occurrences_plan_key`.execute(db);
  await sql`ALTER INDEX reminder_occurrences_plan_digest RENAME TO reminder_occurrences_plan_key`.execute(db);
}
