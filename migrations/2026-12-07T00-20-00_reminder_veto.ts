import { type Kysely, sql } from 'kysely';

// A veto before sending: `reminder.upcoming` goes out a policy's `upcoming_hours` before each
// reminder (once per planned time: `upcoming_notified_at`), and the integrator may hold one until
// a date (`held_until`, which no replan touches) or cancel it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE reminder_policies
      ADD COLUMN upcoming_hours integer NOT NULL DEFAULT 24 CHECK (upcoming_hours BETWEEN 0 AND 168)`.execute(db);
  await sql`
    ALTER TABLE reminder_occurrences
      ADD COLUMN upcoming_notified_at timestamptz,
      ADD COLUMN held_until date`.execute(db);
  // The reminders still to announce, by time: the pass reads the next week of them, never the book.
  await sql`
    CREATE INDEX reminder_occurrences_upcoming ON reminder_occurrences (account_id, scheduled_at)
     WHERE status = 'scheduled' AND upcoming_notified_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX reminder_occurrences_upcoming`.execute(db);
  await sql`ALTER TABLE reminder_occurrences DROP COLUMN upcoming_notified_at, DROP COLUMN held_until`.execute(db);
  await sql`ALTER TABLE reminder_policies DROP COLUMN upcoming_hours`.execute(db);
}
