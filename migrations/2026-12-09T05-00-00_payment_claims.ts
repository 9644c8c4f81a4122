import { type Kysely, sql } from 'kysely';

// The customer answers "I have already paid" (from its page or through the API): a payment claim
// holds the invoice's reminders for the account's `payment_claim_hold_days` while a person checks,
// a recorded payment on the invoice confirms it, and an unconfirmed one expires and lets the
// schedule resume. A customer may also ask for a payment plan: within the account's rules it is
// agreed at once, otherwise a `plan_request` task carries the terms for a person to approve.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE payment_claims (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      invoice_id text NOT NULL,
      customer_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'confirmed', 'rejected', 'expired')),
      source text NOT NULL CHECK (source IN ('api', 'page')),
      paid_on date NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      currency text NOT NULL,
      reference text,
      note text,
      hold_until date NOT NULL,
      task_id text,
      payment_id text,
      resolution_note text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      resolved_at timestamptz,
      PRIMARY KEY (account_id, id),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id) ON DELETE CASCADE,
      FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX payment_claims_one_open ON payment_claims (account_id, invoice_id) WHERE status = 'open'`.execute(
    db,
  );
  // The daily expiry finds the open claims whose hold has passed, without reading the others.
  await sql`CREATE INDEX payment_claims_hold ON payment_claims (hold_until) WHERE status = 'open'`.execute(db);
  await sql`ALTER TABLE payment_claims ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE payment_claims FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON payment_claims TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`
    CREATE POLICY system_access ON payment_claims TO relance_system
      USING (true) WITH CHECK (true)`.execute(db);
  await sql`ALTER TABLE invoices ADD COLUMN payment_claimed_until date`.execute(db);
  await sql`
    ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check,
      ADD CONSTRAINT tasks_kind_check
        CHECK (kind IN ('call', 'letter', 'collection', 'message', 'payment_claim', 'plan_request')),
      ADD COLUMN requested_plan jsonb`.execute(db);
  await sql`
    ALTER TABLE accounts
      ADD COLUMN payment_claim_hold_days integer NOT NULL DEFAULT 7 CHECK (payment_claim_hold_days BETWEEN 1 AND 60),
      ADD COLUMN portal_plan_max_installments integer NOT NULL DEFAULT 3
        CHECK (portal_plan_max_installments BETWEEN 0 AND 60),
      ADD COLUMN portal_plan_max_days integer NOT NULL DEFAULT 90 CHECK (portal_plan_max_days BETWEEN 1 AND 1825),
      ADD COLUMN portal_plan_min_installment jsonb NOT NULL DEFAULT '{}'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE accounts DROP COLUMN payment_claim_hold_days, DROP COLUMN portal_plan_max_installments,
      DROP COLUMN portal_plan_max_days, DROP COLUMN portal_plan_min_installment`.execute(db);
  await sql`DELETE FROM tasks WHERE kind IN ('payment_claim', 'plan_request')`.execute(db);
  await sql`
    ALTER TABLE tasks DROP COLUMN requested_plan, DROP CONSTRAINT tasks_kind_check,
      ADD CONSTRAINT tasks_kind_check CHECK (kind IN ('call', 'letter', 'collection', 'message'))`.execute(db);
  await sql`ALTER TABLE invoices DROP COLUMN payment_claimed_until`.execute(db);
  await sql`DROP TABLE payment_claims`.execute(db);
}
