import { type Kysely, sql } from 'kysely';

// Erasure of a debtor's personal data (customers.erased_at), and the retention of message
// bodies (messages.body_purged_at: a message older than the retention keeps its facts, not its text).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE customers ADD COLUMN erased_at timestamptz`.execute(db);
  await sql`ALTER TABLE messages ADD COLUMN body_purged_at timestamptz`.execute(db);
  await sql`CREATE INDEX messages_body_kept ON messages (created_at) WHERE body_purged_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX messages_body_kept`.execute(db);
  await sql`ALTER TABLE messages DROP COLUMN body_purged_at`.execute(db);
  await sql`ALTER TABLE customers DROP COLUMN erased_at`.execute(db);
}
