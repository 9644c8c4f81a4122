import { type Kysely, sql } from 'kysely';

// The DSO report (docs/reports.md#dso) sums the period's sales by issue date: without an index on
// it, every invoice of the account was read (a sequential scan, 1,000,000 rows on a large book).
// The columns it sums ride along, so an index-only scan answers it without visiting the table.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX invoices_issue_date ON invoices (account_id, issue_date) INCLUDE (currency, total, status, balance)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX invoices_issue_date`.execute(db);
}
