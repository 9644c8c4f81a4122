import { type Kysely, sql } from 'kysely';

// Sending at the provider's pace (issue 12):
// - `provider_rate_budgets`: one row per provider credential, shared by every worker process. A
//   call reserves the next free slot (`next_at` moves by 1/rate); a 429 or an exhausted window
//   pushes `next_at` to when the provider said, which slows every worker at once. No account_id:
//   a credential serves many accounts; only the system role writes it.
// - `reminder_occurrences.retry_at`: when a reminder waiting on the provider is tried again
//   (what `retry-after` said, or the back-off); `requeues`: times it was re-queued by the API (a
//   new message then goes under a new idempotency key).
// - `messages.batch_key`: the idempotency key of the batch a message went in, kept while the
//   batch's outcome is unknown, so that the same batch is offered again under the same key.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE provider_rate_budgets (
      credential text PRIMARY KEY,
      rate_per_second double precision NOT NULL CHECK (rate_per_second > 0),
      next_at timestamptz NOT NULL,
      blocked_until timestamptz,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`REVOKE ALL ON provider_rate_budgets FROM relance_app, relance_system`.execute(db);
  await sql`GRANT SELECT ON provider_rate_budgets TO relance_app`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE ON provider_rate_budgets TO relance_system`.execute(db);
  await sql`ALTER TABLE reminder_occurrences ADD COLUMN retry_at timestamptz, ADD COLUMN requeues integer NOT NULL DEFAULT 0`.execute(
    db,
  );
  await sql`ALTER TABLE messages ADD COLUMN batch_key text`.execute(db);
  // The tick's "due again" branch reads this (see findDueOccurrences).
  await sql`CREATE INDEX reminder_occurrences_retry ON reminder_occurrences ((coalesce(retry_at, updated_at))) WHERE status = 'sending'`.execute(
    db,
  );
  await sql`CREATE INDEX messages_batch_key ON messages (account_id, batch_key) WHERE batch_key IS NOT NULL AND status IN ('pending', 'failed')`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX messages_batch_key`.execute(db);
  await sql`DROP INDEX reminder_occurrences_retry`.execute(db);
  await sql`ALTER TABLE messages DROP COLUMN batch_key`.execute(db);
  await sql`ALTER TABLE reminder_occurrences DROP COLUMN retry_at, DROP COLUMN requeues`.execute(db);
  await sql`DROP TABLE provider_rate_budgets`.execute(db);
}
