import { type Kysely, sql } from 'kysely';

// A list filtered by due date is ordered by (due_date, id), latest first: these indexes read it
// in order, so a page reads a page of rows. `invoices_open_due` gains `id` for the overdue list
// (open invoices), `invoices_due_date` serves the other filters.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX invoices_open_due`.execute(db);
  await sql`CREATE INDEX invoices_open_due ON invoices (account_id, due_date, id) WHERE status IN ('open', 'partially_paid')`.execute(
    db,
  );
  await sql`CREATE INDEX invoices_due_date ON invoices (account_id, due_date, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX invoices_due_date`.execute(db);
  await sql`DROP INDEX invoices_open_due`.execute(db);
  await sql`CREATE INDEX invoices_open_due ON invoices (account_id, due_date) WHERE status IN ('open', 'partially_paid')`.execute(
    db,
  );
}
