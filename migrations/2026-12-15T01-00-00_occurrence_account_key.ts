import { type Kysely, sql } from 'kysely';

// A reminder's account is its invoice's: `(account_id, invoice_id)` already references
// `invoices (account_id, id)`, whose account references `accounts`, and deleting an account
// reaches its reminders through its invoices. The direct reference to `accounts` added nothing
// but a check per reminder written, each taking a share lock on the one account row, which
// connections planning the same account contended for: planning a large account's invoices
// (seven reminders each) went 26–43 % faster without it (`npm run bench:book`).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reminder_occurrences DROP CONSTRAINT reminder_occurrences_account_id_fkey`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reminder_occurrences ADD CONSTRAINT reminder_occurrences_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE`.execute(
    db,
  );
}
