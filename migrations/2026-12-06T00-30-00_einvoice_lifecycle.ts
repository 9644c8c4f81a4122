import { type Kysely, sql } from 'kysely';

// The life of an invoice on the French e-invoicing platforms (from September 2026): each status
// the integrator receives from its approved platform (PA), with its date and reason, and the
// latest on the invoice. Codes: AIFE, Dossier de spécifications externes FE v3.1 (2025-10-31).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE einvoice_statuses (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      invoice_id text NOT NULL,
      code smallint NOT NULL CHECK (code BETWEEN 200 AND 299),
      status_on date NOT NULL,
      reason_code text,
      reason text,
      platform_ref text,
      reaction text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX einvoice_statuses_invoice ON einvoice_statuses (account_id, invoice_id, id)`.execute(db);
  // The same status, date and reference again is the same report (a platform re-sends): one row.
  await sql`
    CREATE UNIQUE INDEX einvoice_statuses_once
      ON einvoice_statuses (account_id, invoice_id, code, status_on, coalesce(platform_ref, ''))`.execute(db);
  await sql`ALTER TABLE einvoice_statuses ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE einvoice_statuses FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON einvoice_statuses TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`
    CREATE POLICY system_access ON einvoice_statuses TO relance_system
      USING (true) WITH CHECK (true)`.execute(db);
  await sql`ALTER TABLE invoices ADD COLUMN einvoice_status smallint, ADD COLUMN einvoice_status_on date`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE invoices DROP COLUMN einvoice_status, DROP COLUMN einvoice_status_on`.execute(db);
  await sql`DROP TABLE einvoice_statuses`.execute(db);
}
