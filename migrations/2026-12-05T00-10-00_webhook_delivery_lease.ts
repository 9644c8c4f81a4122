import { type Kysely, sql } from 'kysely';

// A delivery is claimed for a while (`claimed_until`) in a short transaction, POSTed with no
// transaction open, then settled. A worker that dies between the claim and the settlement leaves
// the lease to run out; the due-deliveries sweep then queues the delivery again.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE webhook_deliveries ADD COLUMN claimed_until timestamptz`.execute(db);
  await sql`
    CREATE INDEX webhook_deliveries_lease ON webhook_deliveries (claimed_until)
     WHERE status = 'pending' AND claimed_until IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX webhook_deliveries_lease`.execute(db);
  await sql`ALTER TABLE webhook_deliveries DROP COLUMN claimed_until`.execute(db);
}
