import { type Kysely, sql } from 'kysely';

// Bank reconciliation: bank lines submitted by the integrator, and the matches Relance proposes
// for each (invoices and amounts a payment would be allocated to, with a score and its reasons).
const NEW_TENANT_TABLES = ['bank_transactions', 'bank_transaction_matches'];

export async function up(db: Kysely<any>): Promise<void> {
  // The digits of an invoice number ("F-2026/0042" → "20260042"): a bank label is searched for
  // its candidate numbers with one indexed lookup per batch. A stored column, not an expression
  // index: under row-level security only leakproof operators (text =, not regexp_replace) may
  // be evaluated before the policy, so only a plain column comparison can use an index. The
  // reconciliation code computes the same key in TypeScript (labels.ts, numberDigits).
  await sql`
    ALTER TABLE invoices
      ADD COLUMN number_digits text GENERATED ALWAYS AS (regexp_replace(number, '[^0-9]', '', 'g')) STORED`.execute(db);
  await sql`
    CREATE INDEX invoices_open_number_digits ON invoices (account_id, number_digits)
      WHERE status IN ('open', 'partially_paid')`.execute(db);

  await sql`
    CREATE TABLE bank_transactions (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      booked_on date NOT NULL,
      -- Signed, in minor units: credits (money received) positive, debits negative.
      amount bigint NOT NULL CHECK (amount <> 0),
      currency char(3) NOT NULL,
      label text NOT NULL,
      counterparty_name text,
      bank_reference text NOT NULL,
      status text NOT NULL CHECK (status IN ('unmatched', 'matched', 'ignored')),
      payment_id text,
      matched_at timestamptz,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      -- A line imported twice is the same line.
      CONSTRAINT bank_transactions_reference_key UNIQUE (account_id, bank_reference),
      FOREIGN KEY (account_id, payment_id) REFERENCES payments (account_id, id),
      CHECK ((status = 'matched') = (payment_id IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX bank_transactions_status ON bank_transactions (account_id, status, id)`.execute(db);
  await sql`CREATE INDEX bank_transactions_booked_on ON bank_transactions (account_id, booked_on)`.execute(db);

  await sql`
    CREATE TABLE bank_transaction_matches (
      -- Deleted with their line (and so with the account). Proposals are snapshots: confirming one
      -- checks its customer and invoices again, so no foreign key to them; an import writes
      -- thousands of rows, and each foreign key is one more lookup per row.
      account_id text NOT NULL,
      id text NOT NULL,
      bank_transaction_id text NOT NULL,
      rank integer NOT NULL CHECK (rank >= 1),
      score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
      customer_id text NOT NULL,
      -- [{invoice_id, invoice_number, amount}]: what confirming would allocate.
      allocations jsonb NOT NULL,
      unallocated bigint NOT NULL CHECK (unallocated >= 0),
      -- [{code, points, invoice_ids, detail}]: why it is proposed.
      reasons jsonb NOT NULL,
      status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'confirmed', 'rejected')),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      UNIQUE (account_id, bank_transaction_id, rank),
      FOREIGN KEY (account_id, bank_transaction_id) REFERENCES bank_transactions (account_id, id) ON DELETE CASCADE
    )`.execute(db);

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
  for (const table of [...NEW_TENANT_TABLES].reverse()) await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  await sql`ALTER TABLE invoices DROP COLUMN number_digits`.execute(db);
}
