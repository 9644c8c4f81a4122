import { type Kysely, sql } from 'kysely';

// The customer answers from its page: a free message becomes a task of kind `message` for a
// person (with the text as its note). Promises and disputes are the existing objects.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check,
      ADD CONSTRAINT tasks_kind_check CHECK (kind IN ('call', 'letter', 'collection', 'message'))`.execute(db);
  await sql`
    ALTER TABLE accounts
      ADD COLUMN portal_promise_max_days integer NOT NULL DEFAULT 30 CHECK (portal_promise_max_days BETWEEN 1 AND 365)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accounts DROP COLUMN portal_promise_max_days`.execute(db);
  await sql`DELETE FROM tasks WHERE kind = 'message'`.execute(db);
  await sql`
    ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check,
      ADD CONSTRAINT tasks_kind_check CHECK (kind IN ('call', 'letter', 'collection'))`.execute(db);
}
