import { type Kysely, sql } from 'kysely';

// First contact and catch-up: a policy keeps a minimum gap between a catch-up message and the
// next step; a reminder records the template it was actually sent as (a first overdue notice in
// place of a step that presupposes earlier reminders) and, when skipped as superseded, the
// reminder it was folded into; an invoice remembers until when no other reminder may follow its
// last catch-up (a replan cannot bring the next step closer).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE reminder_policies
      ADD COLUMN min_gap_days integer NOT NULL DEFAULT 3 CHECK (min_gap_days BETWEEN 0 AND 30)`.execute(db);
  await sql`
    ALTER TABLE reminder_occurrences
      ADD COLUMN sent_as text,
      ADD COLUMN folded_into text`.execute(db);
  await sql`ALTER TABLE invoices ADD COLUMN catch_up_gap_until timestamptz`.execute(db);
  // Whether a customer has had a message about an invoice is asked before every reminder.
  await sql`CREATE INDEX messages_invoice ON messages (account_id, invoice_id) WHERE invoice_id IS NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX messages_invoice`.execute(db);
  await sql`ALTER TABLE invoices DROP COLUMN catch_up_gap_until`.execute(db);
  await sql`ALTER TABLE reminder_occurrences DROP COLUMN sent_as, DROP COLUMN folded_into`.execute(db);
  await sql`ALTER TABLE reminder_policies DROP COLUMN min_gap_days`.execute(db);
}
