import { type Kysely, sql } from 'kysely';

// Retention of settled reminders (REMINDER_RETENTION_DAYS, docs/operations.md#retention). A
// reminder sent, skipped or failed is history the planner never plans again: its row, by its plan
// key, is what stops a replan from scheduling the step a second time. When the workers purge a
// closed invoice's old reminders, the digests of those plan keys stay here (16 bytes each, one
// row per invoice), so a payment reversed after the purge replans only the steps never acted on.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE reminder_plan_tombstones (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      invoice_id text NOT NULL,
      digests uuid[] NOT NULL,
      purged_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, invoice_id),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`ALTER TABLE reminder_plan_tombstones ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE reminder_plan_tombstones FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON reminder_plan_tombstones TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`
    CREATE POLICY system_access ON reminder_plan_tombstones TO relance_system
      USING (true) WITH CHECK (true)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE reminder_plan_tombstones`.execute(db);
}
