import { type Kysely, sql } from 'kysely';

// Tenant tables, as in the foundation: account_id in every key, RLS enabled and forced.
const NEW_TENANT_TABLES = ['payments', 'payment_allocations'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE payments (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      customer_id text NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL,
      received_on date NOT NULL,
      method text NOT NULL CHECK (method IN ('transfer', 'card', 'check', 'cash', 'direct_debit', 'other')),
      reference text,
      status text NOT NULL DEFAULT 'succeeded' CHECK (status IN ('succeeded', 'reversed')),
      reversal_reason text,
      reversed_at timestamptz,
      -- What is not allocated to an invoice: the customer's credit, applicable later.
      unallocated bigint NOT NULL CHECK (unallocated >= 0 AND unallocated <= amount),
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, id),
      FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id),
      CHECK ((status = 'reversed') = (reversed_at IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX payments_customer ON payments (account_id, customer_id, id)`.execute(db);
  await sql`CREATE INDEX payments_received_on ON payments (account_id, received_on)`.execute(db);
  await sql`
    CREATE INDEX payments_credit ON payments (account_id, customer_id, currency)
      WHERE status = 'succeeded' AND unallocated > 0`.execute(db);

  await sql`
    CREATE TABLE payment_allocations (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      payment_id text NOT NULL,
      invoice_id text NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      reversed boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      reversed_at timestamptz,
      PRIMARY KEY (account_id, id),
      FOREIGN KEY (account_id, payment_id) REFERENCES payments (account_id, id),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id),
      CHECK (reversed = (reversed_at IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX payment_allocations_payment ON payment_allocations (account_id, payment_id)`.execute(db);
  await sql`CREATE INDEX payment_allocations_invoice ON payment_allocations (account_id, invoice_id)`.execute(db);

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
}
