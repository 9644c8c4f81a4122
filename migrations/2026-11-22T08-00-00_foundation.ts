import { type Kysely, sql } from 'kysely';

// Tenant tables: every row carries account_id, every key includes it, and row-level security
// (enabled and FORCED) limits the service role to the account set for the transaction.
const TENANT_TABLES = ['api_keys', 'payment_terms', 'customers', 'invoices', 'events', 'idempotency_keys'];

export async function up(db: Kysely<any>): Promise<void> {
  // Two roles the service switches to per transaction. Neither owns a table nor bypasses RLS:
  // relance_app sees one account; relance_system is for cross-account work (API key lookup,
  // account creation, schedulers) and is only ever used by code that never takes tenant input.
  await sql`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'relance_app') THEN
        CREATE ROLE relance_app NOLOGIN NOBYPASSRLS;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'relance_system') THEN
        CREATE ROLE relance_system NOLOGIN NOBYPASSRLS;
      END IF;
      IF NOT pg_has_role(current_user, 'relance_app', 'MEMBER') THEN
        EXECUTE format('GRANT relance_app TO %I', current_user);
      END IF;
      IF NOT pg_has_role(current_user, 'relance_system', 'MEMBER') THEN
        EXECUTE format('GRANT relance_system TO %I', current_user);
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database of the same cluster created them at the same moment
    END
    $$`.execute(db);

  await sql`
    CREATE FUNCTION relance_current_account() RETURNS text
      LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT nullif(current_setting('relance.account_id', true), '') $$
  `.execute(db);

  await sql`
    CREATE TABLE accounts (
      id text PRIMARY KEY,
      name text NOT NULL,
      legal_name text,
      mode text NOT NULL DEFAULT 'live' CHECK (mode IN ('live', 'test')),
      default_currency char(3) NOT NULL DEFAULT 'EUR',
      locale text NOT NULL DEFAULT 'en',
      time_zone text NOT NULL DEFAULT 'UTC',
      sender_name text,
      sender_email text,
      reply_to text,
      contact_phone text,
      payment_instructions text,
      default_payment_terms_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE api_keys (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      name text,
      prefix text NOT NULL,
      secret_hash bytea NOT NULL,
      read_only boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      PRIMARY KEY (account_id, id)
    )`.execute(db);
  // Looked up by hash before the account is known (hashes of 190-bit secrets never collide).
  await sql`CREATE INDEX api_keys_secret_hash ON api_keys (secret_hash)`.execute(db);

  await sql`
    CREATE TABLE payment_terms (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      code text,
      name text NOT NULL,
      rule_kind text NOT NULL CHECK (rule_kind IN ('due_on_receipt', 'net', 'days_end_of_month', 'end_of_month_plus')),
      rule_days integer NOT NULL DEFAULT 0 CHECK (rule_days BETWEEN 0 AND 365),
      discount_bps integer CHECK (discount_bps BETWEEN 1 AND 10000),
      discount_days integer CHECK (discount_days BETWEEN 0 AND 365),
      builtin boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, id),
      UNIQUE (account_id, code),
      CHECK ((discount_bps IS NULL) = (discount_days IS NULL))
    )`.execute(db);
  await sql`
    ALTER TABLE accounts ADD FOREIGN KEY (id, default_payment_terms_id)
      REFERENCES payment_terms (account_id, id) DEFERRABLE INITIALLY DEFERRED`.execute(db);

  await sql`
    CREATE TABLE customers (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      external_id text,
      name text NOT NULL,
      email text,
      cc_emails text[] NOT NULL DEFAULT '{}',
      contact_name text,
      phone text,
      locale text,
      time_zone text,
      payment_terms_id text,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, id),
      UNIQUE (account_id, external_id),
      FOREIGN KEY (account_id, payment_terms_id) REFERENCES payment_terms (account_id, id)
    )`.execute(db);

  await sql`
    CREATE TABLE invoices (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      number text NOT NULL,
      external_id text,
      customer_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('draft', 'open', 'partially_paid', 'paid', 'void', 'uncollectible')),
      currency char(3) NOT NULL,
      subtotal bigint NOT NULL CHECK (subtotal >= 0),
      tax bigint NOT NULL DEFAULT 0 CHECK (tax >= 0),
      total bigint NOT NULL CHECK (total >= 0),
      late_fees bigint NOT NULL DEFAULT 0 CHECK (late_fees >= 0),
      amount_paid bigint NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
      amount_credited bigint NOT NULL DEFAULT 0 CHECK (amount_credited >= 0),
      balance bigint GENERATED ALWAYS AS (total + late_fees - amount_paid - amount_credited) STORED,
      issue_date date NOT NULL,
      due_date date NOT NULL CHECK (due_date >= issue_date),
      payment_terms_id text,
      payment_url text,
      pdf_url text,
      memo text,
      metadata jsonb NOT NULL DEFAULT '{}',
      line_items jsonb NOT NULL DEFAULT '[]',
      finalized_at timestamptz,
      voided_at timestamptz,
      marked_uncollectible_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, id),
      CONSTRAINT invoices_number_key UNIQUE (account_id, number),
      CONSTRAINT invoices_external_id_key UNIQUE (account_id, external_id),
      FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id),
      FOREIGN KEY (account_id, payment_terms_id) REFERENCES payment_terms (account_id, id),
      CHECK (total = subtotal + tax)
    )`.execute(db);
  await sql`CREATE INDEX invoices_customer ON invoices (account_id, customer_id)`.execute(db);
  await sql`
    CREATE INDEX invoices_open_due ON invoices (account_id, due_date)
      WHERE status IN ('open', 'partially_paid')`.execute(db);

  await sql`
    CREATE TABLE events (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      seq bigint GENERATED ALWAYS AS IDENTITY,
      type text NOT NULL,
      object_type text NOT NULL,
      object_id text NOT NULL,
      data jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id)
    )`.execute(db);
  await sql`CREATE INDEX events_object ON events (account_id, object_id, seq)`.execute(db);

  await sql`
    CREATE TABLE idempotency_keys (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      key text NOT NULL,
      request_hash text NOT NULL,
      state text NOT NULL CHECK (state IN ('in_progress', 'completed')),
      response_status integer,
      response_body text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, key)
    )`.execute(db);
  await sql`CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`.execute(db);

  await sql`ALTER TABLE accounts ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE accounts FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON accounts TO relance_app
      USING (id = relance_current_account()) WITH CHECK (id = relance_current_account())`.execute(db);
  await sql`CREATE POLICY system_access ON accounts TO relance_system USING (true) WITH CHECK (true)`.execute(db);

  for (const table of TENANT_TABLES) {
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

  await sql`GRANT USAGE ON SCHEMA public TO relance_app, relance_system`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO relance_app, relance_system`.execute(
    db,
  );
  await sql`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO relance_app, relance_system`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION relance_current_account() TO relance_app, relance_system`.execute(db);
  await sql`
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
      GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO relance_app, relance_system`.execute(db);
  await sql`
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
      GRANT USAGE ON SEQUENCES TO relance_app, relance_system`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['idempotency_keys', 'events', 'invoices', 'customers', 'api_keys']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
  await sql`ALTER TABLE accounts DROP COLUMN default_payment_terms_id`.execute(db);
  await sql`DROP TABLE payment_terms`.execute(db);
  await sql`DROP TABLE accounts`.execute(db);
  await sql`DROP FUNCTION relance_current_account()`.execute(db);
}
