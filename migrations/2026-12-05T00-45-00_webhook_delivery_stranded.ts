import { type Kysely, sql } from 'kysely';

// Deliveries queued but never claimed: their job was lost (it ran out of retries while the
// database dropped its connections). The due-deliveries sweep finds them by the time they were
// queued (`updated_at`) through this index and queues them again.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX webhook_deliveries_queued ON webhook_deliveries (updated_at)
     WHERE status = 'pending' AND next_attempt_at IS NULL AND claimed_until IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX webhook_deliveries_queued`.execute(db);
}
