import { type Kysely, sql } from 'kysely';

// A per-object sequence on events (1, 2, 3… per account and object), so a subscriber can order
// what it receives about one object, and a time index for the retention purge.
//
// The sequence is assigned at insert by a trigger: max + 1 over the object's events. The writers
// of one object's events hold that object's row lock (the invoice row for invoice and reminder
// events…), so two transactions never compute the same value; the unique index makes any writer
// that forgot the lock fail instead of writing a duplicate. A writer that knows the value (the
// invoice fast path: the first event of a new invoice is 1) gives it, and the trigger does not run.
// The default 0 means "not given"; the CHECK makes sure the trigger replaced it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE events ADD COLUMN object_sequence integer NOT NULL DEFAULT 0`.execute(db);
  await sql`
    UPDATE events e SET object_sequence = n.rn
      FROM (SELECT account_id, id, row_number() OVER (PARTITION BY account_id, object_id ORDER BY seq) AS rn FROM events) n
     WHERE e.account_id = n.account_id AND e.id = n.id`.execute(db);
  await sql`ALTER TABLE events ADD CONSTRAINT events_object_sequence_given CHECK (object_sequence > 0)`.execute(db);
  // Replaces events_object (account_id, object_id, seq): the same lookups, and the uniqueness.
  await sql`CREATE UNIQUE INDEX events_object_sequence ON events (account_id, object_id, object_sequence)`.execute(db);
  await sql`DROP INDEX events_object`.execute(db);
  // Events are written roughly in time order: a BRIN index finds the old ones for almost no write cost.
  await sql`CREATE INDEX events_created_brin ON events USING brin (created_at)`.execute(db);
  await sql`
    CREATE FUNCTION events_assign_object_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      SELECT coalesce(max(object_sequence), 0) + 1 INTO NEW.object_sequence
        FROM events WHERE account_id = NEW.account_id AND object_id = NEW.object_id;
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER events_object_sequence BEFORE INSERT ON events
      FOR EACH ROW WHEN (NEW.object_sequence = 0) EXECUTE FUNCTION events_assign_object_sequence()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER events_object_sequence ON events`.execute(db);
  await sql`DROP FUNCTION events_assign_object_sequence()`.execute(db);
  await sql`DROP INDEX events_created_brin`.execute(db);
  await sql`CREATE INDEX events_object ON events (account_id, object_id, seq)`.execute(db);
  await sql`DROP INDEX events_object_sequence`.execute(db);
  await sql`ALTER TABLE events DROP COLUMN object_sequence`.execute(db);
}
