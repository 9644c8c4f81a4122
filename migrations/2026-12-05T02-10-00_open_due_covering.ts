import { type Kysely, sql } from 'kysely';

// Per-account counts and aging over open invoices (count by due date, sum of balances by
// currency and bucket) read `invoices_open_due` alone: the balance and currency ride along in the
// index, so an index-only scan answers them without visiting the table.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX invoices_open_due`.execute(db);
  await sql`CREATE INDEX invoices_open_due ON invoices (account_id, due_date, id) INCLUDE (balance, currency) WHERE status IN ('open', 'partially_paid')`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX invoices_open_due`.execute(db);
  await sql`CREATE INDEX invoices_open_due ON invoices (account_id, due_date, id) WHERE status IN ('open', 'partially_paid')`.execute(
    db,
  );
}
