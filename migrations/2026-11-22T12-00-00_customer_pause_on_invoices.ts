import { type Kysely, sql } from 'kysely';

// A customer's pause shows on each of its invoices: the service copies it to them when it is set
// or lifted, and when an invoice is created.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE invoices
      ADD COLUMN customer_paused boolean NOT NULL DEFAULT false,
      ADD COLUMN customer_paused_until date,
      ADD COLUMN customer_pause_reason text`.execute(db);
  await sql`
    UPDATE invoices i SET customer_paused = c.paused, customer_paused_until = c.paused_until, customer_pause_reason = c.pause_reason
      FROM customers c WHERE c.account_id = i.account_id AND c.id = i.customer_id AND c.paused`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE invoices DROP COLUMN customer_paused, DROP COLUMN customer_paused_until, DROP COLUMN customer_pause_reason`.execute(
    db,
  );
}
