import { type Kysely, sql } from 'kysely';

// Payment plans (échéancier): an invoice's balance split into dated installments. While a plan
// is active the invoice points at it (`invoices.active_payment_plan_id`), so hot paths know
// "no plan" without another query; reminders are planned per installment.
const NEW_TENANT_TABLES = ['payment_plans', 'payment_plan_installments'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE payment_plans (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      invoice_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'completed', 'breached', 'cancelled')),
      currency char(3) NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      -- The invoice's amount paid + credited when the plan started: what is received beyond it pays installments.
      settled_at_start bigint NOT NULL CHECK (settled_at_start >= 0),
      max_missed_installments integer NOT NULL CHECK (max_missed_installments BETWEEN 1 AND 60),
      missed_count integer NOT NULL DEFAULT 0 CHECK (missed_count >= 0),
      late_fees text NOT NULL CHECK (late_fees IN ('suspended', 'accrue')),
      note text,
      metadata jsonb NOT NULL DEFAULT '{}',
      -- Local calendar days (account time zone) the plan started and ended on: late fees skip the days between.
      started_on date NOT NULL,
      ended_on date,
      cancellation_reason text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      ended_at timestamptz,
      PRIMARY KEY (account_id, id),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id),
      CHECK ((status = 'active') = (ended_at IS NULL)),
      CHECK ((ended_at IS NULL) = (ended_on IS NULL))
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX payment_plans_one_active ON payment_plans (account_id, invoice_id) WHERE status = 'active'`.execute(
    db,
  );
  await sql`CREATE INDEX payment_plans_invoice ON payment_plans (account_id, invoice_id, id)`.execute(db);

  await sql`
    CREATE TABLE payment_plan_installments (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      plan_id text NOT NULL,
      number integer NOT NULL CHECK (number BETWEEN 1 AND 60),
      due_date date NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      paid_amount bigint NOT NULL DEFAULT 0 CHECK (paid_amount >= 0 AND paid_amount <= amount),
      status text NOT NULL CHECK (status IN ('pending', 'paid', 'missed')),
      paid_at timestamptz,
      missed_at timestamptz,
      PRIMARY KEY (account_id, plan_id, number),
      FOREIGN KEY (account_id, plan_id) REFERENCES payment_plans (account_id, id) ON DELETE CASCADE,
      CHECK ((status = 'paid') = (paid_amount = amount))
    )`.execute(db);
  // The workers' daily scan for installments that passed their date unpaid.
  await sql`CREATE INDEX payment_plan_installments_pending ON payment_plan_installments (due_date) WHERE status = 'pending'`.execute(
    db,
  );

  await sql`ALTER TABLE invoices ADD COLUMN active_payment_plan_id text`.execute(db);
  await sql`
    ALTER TABLE invoices ADD FOREIGN KEY (account_id, active_payment_plan_id)
      REFERENCES payment_plans (account_id, id) DEFERRABLE INITIALLY DEFERRED`.execute(db);

  // Reminders of a plan are planned per installment: the installment joins the occurrence's key.
  await sql`
    ALTER TABLE reminder_occurrences
      ADD COLUMN payment_plan_id text,
      ADD COLUMN installment_number integer NOT NULL DEFAULT 0,
      ADD COLUMN installment_due_on date,
      ADD CHECK ((payment_plan_id IS NULL) = (installment_number = 0)),
      ADD CHECK ((payment_plan_id IS NULL) = (installment_due_on IS NULL))`.execute(db);
  await sql`ALTER TABLE reminder_occurrences DROP CONSTRAINT reminder_occurrences_plan_key`.execute(db);
  await sql`
    ALTER TABLE reminder_occurrences ADD CONSTRAINT reminder_occurrences_plan_key
      UNIQUE NULLS NOT DISTINCT (account_id, invoice_id, step_id, repeat_index, payment_plan_id, installment_number)`.execute(
    db,
  );

  for (const table of NEW_TENANT_TABLES) {
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
  await sql`DELETE FROM reminder_occurrences WHERE payment_plan_id IS NOT NULL`.execute(db);
  await sql`ALTER TABLE reminder_occurrences DROP CONSTRAINT reminder_occurrences_plan_key`.execute(db);
  await sql`ALTER TABLE reminder_occurrences DROP COLUMN payment_plan_id, DROP COLUMN installment_number, DROP COLUMN installment_due_on`.execute(
    db,
  );
  await sql`
    ALTER TABLE reminder_occurrences ADD CONSTRAINT reminder_occurrences_plan_key
      UNIQUE (account_id, invoice_id, step_id, repeat_index)`.execute(db);
  await sql`ALTER TABLE invoices DROP COLUMN active_payment_plan_id`.execute(db);
  for (const table of [...NEW_TENANT_TABLES].reverse()) await sql`DROP TABLE ${sql.table(table)}`.execute(db);
}
