import { type Kysely, sql } from 'kysely';

// A contact budget per customer, across invoices and channels: at most `max_contacts_per_week`
// messages and letters in any 7 days, at least `min_days_between_contacts` days apart. The
// account sets it; a policy may set its own (null: the account's).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE accounts
      ADD COLUMN max_contacts_per_week integer NOT NULL DEFAULT 3 CHECK (max_contacts_per_week BETWEEN 1 AND 50),
      ADD COLUMN min_days_between_contacts integer NOT NULL DEFAULT 2
        CHECK (min_days_between_contacts BETWEEN 0 AND 30)`.execute(db);
  await sql`
    ALTER TABLE reminder_policies
      ADD COLUMN max_contacts_per_week integer CHECK (max_contacts_per_week BETWEEN 1 AND 50),
      ADD COLUMN min_days_between_contacts integer CHECK (min_days_between_contacts BETWEEN 0 AND 30)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reminder_policies DROP COLUMN max_contacts_per_week, DROP COLUMN min_days_between_contacts`.execute(
    db,
  );
  await sql`ALTER TABLE accounts DROP COLUMN max_contacts_per_week, DROP COLUMN min_days_between_contacts`.execute(db);
}
