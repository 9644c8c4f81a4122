import { type Kysely, sql } from 'kysely';

// Payment behaviour kept per customer instead of computed on every read (docs/behaviour.md):
// - `customers.behaviour_version` counts the events that concern the customer's behaviour; the
//   workers raise it as they take new events from the outbox (no statement is added to the
//   payment path);
// - `customer_behaviours` holds the figures as last computed, with the version and the day they
//   are true for: a read uses them while both still hold, and computes (and keeps) them otherwise;
// - `customer_lateness` is the one figure the cash forecast needs for every customer at once (the
//   average days late per currency), narrow so that a forecast over 100,000 customers reads it
//   in one pass instead of a year of payments;
// - `customers.behaviour_kept_version` is the version of the figures kept (null: none yet), so the
//   customers whose kept figures are behind are a partial index of their own, empty when all is
//   kept: the forecast computes the lateness of those only;
// - `invoices_open_due` also carries what the forecast reads of an open invoice (its customer, its
//   promise and its plan), so the forecast reads that index alone, as the aging does.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE customers
      ADD COLUMN behaviour_version bigint NOT NULL DEFAULT 0,
      ADD COLUMN behaviour_kept_version bigint`.execute(db);
  await sql`
    CREATE INDEX customers_behaviour_behind ON customers (account_id)
      WHERE behaviour_kept_version IS DISTINCT FROM behaviour_version`.execute(db);
  await sql`DROP INDEX invoices_open_due`.execute(db);
  await sql`
    CREATE INDEX invoices_open_due ON invoices (account_id, due_date, id)
      INCLUDE (balance, currency, customer_id, promise_to_pay_on, active_payment_plan_id)
      WHERE status IN ('open', 'partially_paid')`.execute(db);
  await sql`
    CREATE TABLE customer_behaviours (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      customer_id text NOT NULL,
      version bigint NOT NULL,
      as_of date NOT NULL,
      figures jsonb NOT NULL,
      computed_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, customer_id),
      FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`
    CREATE TABLE customer_lateness (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      customer_id text NOT NULL,
      currency char(3) NOT NULL,
      average_days_late numeric NOT NULL,
      PRIMARY KEY (account_id, customer_id, currency),
      FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  for (const table of ['customer_behaviours', 'customer_lateness']) {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`ALTER TABLE ${sql.table(table)} FORCE ROW LEVEL SECURITY`.execute(db);
    await sql`
      CREATE POLICY tenant_isolation ON ${sql.table(table)} TO relance_app
        USING (account_id = relance_current_account())
        WITH CHECK (account_id = relance_current_account())`.execute(db);
    await sql`
      CREATE POLICY system_access ON ${sql.table(table)} TO relance_system
        USING (true) WITH CHECK (true)`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE customer_lateness`.execute(db);
  await sql`DROP TABLE customer_behaviours`.execute(db);
  await sql`ALTER TABLE customers DROP COLUMN behaviour_version, DROP COLUMN behaviour_kept_version`.execute(db);
  await sql`DROP INDEX invoices_open_due`.execute(db);
  await sql`
    CREATE INDEX invoices_open_due ON invoices (account_id, due_date, id) INCLUDE (balance, currency)
      WHERE status IN ('open', 'partially_paid')`.execute(db);
}
