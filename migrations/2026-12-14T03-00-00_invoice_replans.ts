import { type Kysely, sql } from 'kysely';

// The invoices waiting for the reminder planner were a flag on the invoice, `needs_replan`, in the
// predicate of a partial index: clearing it after planning was never a HOT update, so each planned
// invoice wrote a new row version and an entry in every index of `invoices` (about a sixth of the
// planner's time). A row in this narrow queue says the same thing; the planner deletes it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE invoice_replans (
      account_id text NOT NULL,
      invoice_id text NOT NULL,
      flagged_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, invoice_id),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`ALTER TABLE invoice_replans ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE invoice_replans FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON invoice_replans TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`
    CREATE POLICY system_access ON invoice_replans TO relance_system
      USING (true) WITH CHECK (true)`.execute(db);
  await sql`
    INSERT INTO invoice_replans (account_id, invoice_id, flagged_at)
    SELECT account_id, id, updated_at FROM invoices WHERE needs_replan`.execute(db);
  await sql`DROP INDEX invoices_needs_replan`.execute(db);
  await sql`ALTER TABLE invoices DROP COLUMN needs_replan`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE invoices ADD COLUMN needs_replan boolean NOT NULL DEFAULT false`.execute(db);
  await sql`
    UPDATE invoices i SET needs_replan = true
      FROM invoice_replans r WHERE r.account_id = i.account_id AND r.invoice_id = i.id`.execute(db);
  await sql`CREATE INDEX invoices_needs_replan ON invoices (account_id, id) WHERE needs_replan`.execute(db);
  await sql`DROP TABLE invoice_replans`.execute(db);
}
