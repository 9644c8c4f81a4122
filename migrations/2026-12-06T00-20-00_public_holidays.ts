import { type Kysely, sql } from 'kysely';

// Policies may skip public holidays (of the customer's country, else the account's), and every
// reminder moved past a weekend or a holiday keeps the date it fell on and why, for the timeline.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reminder_policies ADD COLUMN skip_holidays boolean NOT NULL DEFAULT false`.execute(db);
  await sql`
    ALTER TABLE reminder_occurrences
      ADD COLUMN moved_from date,
      ADD COLUMN moved_for text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reminder_occurrences DROP COLUMN moved_from, DROP COLUMN moved_for`.execute(db);
  await sql`ALTER TABLE reminder_policies DROP COLUMN skip_holidays`.execute(db);
}
