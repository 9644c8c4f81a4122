import { type Kysely, sql } from 'kysely';

// A risk level per customer, assessed from its payment behaviour: the assessed level and its
// reasons, a manual override kept until lifted, and when the next assessment is due
// (`risk_due_at`, '-infinity' for "now": every existing customer is assessed once, then daily).
// Accounts may tune the thresholds (`risk_thresholds`, null for the documented defaults).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE customers
      ADD COLUMN risk_level text NOT NULL DEFAULT 'low' CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
      ADD COLUMN risk_reasons jsonb NOT NULL DEFAULT '[]',
      ADD COLUMN risk_assessed_at timestamptz,
      ADD COLUMN risk_due_at timestamptz NOT NULL DEFAULT '-infinity',
      ADD COLUMN risk_override_level text CHECK (risk_override_level IN ('low', 'medium', 'high', 'critical')),
      ADD COLUMN risk_override_reason text,
      ADD COLUMN risk_override_at timestamptz`.execute(db);
  // The sweep reads the customers due for assessment, oldest first: never the whole book.
  await sql`CREATE INDEX customers_risk_due ON customers (risk_due_at, account_id)`.execute(db);
  await sql`ALTER TABLE accounts ADD COLUMN risk_thresholds jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accounts DROP COLUMN risk_thresholds`.execute(db);
  await sql`DROP INDEX customers_risk_due`.execute(db);
  await sql`
    ALTER TABLE customers
      DROP COLUMN risk_level, DROP COLUMN risk_reasons, DROP COLUMN risk_assessed_at, DROP COLUMN risk_due_at,
      DROP COLUMN risk_override_level, DROP COLUMN risk_override_reason, DROP COLUMN risk_override_at`.execute(db);
}
