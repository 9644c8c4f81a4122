import { type Kysely, sql } from 'kysely';

// The day an invoice's late fees were last brought up to date: the workers do it once a day.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE invoices ADD COLUMN late_fees_accrued_on date`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE invoices DROP COLUMN late_fees_accrued_on`.execute(db);
}
