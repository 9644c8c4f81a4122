import { type Kysely, sql } from 'kysely';

// Statements of account by email (docs/reports.md#statements-by-email): an email step can attach
// the customer's statement (a document of kind `statement`, made by Relance, of no one invoice),
// and an account can send every customer with a balance its statement once a month. One row per
// customer and month is the arbiter: a second worker or a crash never sends a month twice.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE documents DROP CONSTRAINT documents_kind_check`.execute(db);
  await sql`ALTER TABLE documents ADD CONSTRAINT documents_kind_check CHECK (kind IN ('formal_notice', 'invoice_copy', 'statement'))`.execute(
    db,
  );
  await sql`ALTER TABLE documents ALTER COLUMN invoice_id DROP NOT NULL`.execute(db);
  await sql`ALTER TABLE messages ADD COLUMN attachment_kind text CHECK (attachment_kind IN ('invoice_pdf', 'statement'))`.execute(
    db,
  );
  await sql`UPDATE messages SET attachment_kind = 'invoice_pdf' WHERE attachment_url IS NOT NULL`.execute(db);
  await sql`
    ALTER TABLE accounts
      ADD COLUMN monthly_statements boolean NOT NULL DEFAULT false,
      ADD COLUMN statement_day integer NOT NULL DEFAULT 1 CHECK (statement_day BETWEEN 1 AND 28),
      ADD COLUMN monthly_statements_since timestamptz,
      ADD COLUMN monthly_statements_done text`.execute(db);
  await sql`
    CREATE TABLE statement_mailings (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      customer_id text NOT NULL,
      month text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
      period_from date NOT NULL,
      period_to date NOT NULL,
      status text NOT NULL CHECK (status IN ('sending', 'sent', 'skipped', 'failed')),
      reason text,
      message_id text,
      attempts integer NOT NULL DEFAULT 0,
      claimed_until timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      CONSTRAINT statement_mailings_once UNIQUE (account_id, customer_id, month),
      FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX statement_mailings_in_flight ON statement_mailings (account_id, claimed_until) WHERE status = 'sending'`.execute(
    db,
  );
  await sql`ALTER TABLE statement_mailings ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE statement_mailings FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON statement_mailings TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`
    CREATE POLICY system_access ON statement_mailings TO relance_system
      USING (true) WITH CHECK (true)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE statement_mailings`.execute(db);
  await sql`ALTER TABLE accounts DROP COLUMN monthly_statements, DROP COLUMN statement_day, DROP COLUMN monthly_statements_since, DROP COLUMN monthly_statements_done`.execute(
    db,
  );
  await sql`ALTER TABLE messages DROP COLUMN attachment_kind`.execute(db);
  await sql`DELETE FROM documents WHERE kind = 'statement'`.execute(db);
  await sql`ALTER TABLE documents ALTER COLUMN invoice_id SET NOT NULL`.execute(db);
  await sql`ALTER TABLE documents DROP CONSTRAINT documents_kind_check`.execute(db);
  await sql`ALTER TABLE documents ADD CONSTRAINT documents_kind_check CHECK (kind IN ('formal_notice', 'invoice_copy'))`.execute(
    db,
  );
}
