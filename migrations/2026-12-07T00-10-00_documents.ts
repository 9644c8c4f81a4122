import { type Kysely, sql } from 'kysely';

// Documents Relance produces, stored once and never regenerated: the formal-notice letter (PDF)
// of a `letter` step. Its task links to it; an erased customer's documents lose their content.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE documents (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('formal_notice')),
      invoice_id text NOT NULL,
      customer_id text NOT NULL,
      occurrence_id text,
      locale text NOT NULL,
      filename text NOT NULL,
      content_type text NOT NULL,
      content bytea,
      byte_size integer NOT NULL,
      sha256 text NOT NULL,
      purged_at timestamptz,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      CONSTRAINT documents_occurrence_key UNIQUE (account_id, occurrence_id),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX documents_customer ON documents (account_id, customer_id)`.execute(db);
  await sql`ALTER TABLE documents ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE documents FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON documents TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`
    CREATE POLICY system_access ON documents TO relance_system
      USING (true) WITH CHECK (true)`.execute(db);
  await sql`ALTER TABLE tasks ADD COLUMN document_id text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tasks DROP COLUMN document_id`.execute(db);
  await sql`DROP TABLE documents`.execute(db);
}
