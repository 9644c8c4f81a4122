import { type Kysely, sql } from 'kysely';

// The plan key (one reminder per invoice, step, repeat, payment plan and installment) is what
// makes planning twice harmless. Spelled out, its index held three text ids per reminder (about
// 120 bytes an entry, the largest index of the book); the account and an MD5 digest of the rest
// (a uuid, 16 bytes) keep the same uniqueness in half the room. A collision of two different
// keys would be ignored, never merged: the planner's upsert only moves a row whose columns match.
// `reminder_occurrences_invoice (account_id, invoice_id)` still serves the lookups by invoice.
const KEY = sql`(md5(invoice_id || '/' || step_id || '/' || repeat_index::text || '/' || coalesce(payment_plan_id, '') || '/' || installment_number::text)::uuid)`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE UNIQUE INDEX reminder_occurrences_plan_digest ON reminder_occurrences (account_id, ${KEY})`.execute(
    db,
  );
  await sql`ALTER TABLE reminder_occurrences DROP CONSTRAINT reminder_occurrences_plan_key`.execute(db);
  await sql`ALTER INDEX reminder_occurrences_plan_digest RENAME TO reminder_occurrences_plan_key`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX reminder_occurrences_plan_key`.execute(db);
  await sql`
    ALTER TABLE reminder_occurrences ADD CONSTRAINT reminder_occurrences_plan_key
      UNIQUE NULLS NOT DISTINCT (account_id, invoice_id, step_id, repeat_index, payment_plan_id, installment_number)`.execute(
    db,
  );
}
