import { type Kysely, sql } from 'kysely';

// An account's own email provider credential (its Resend API key and, optionally, the signing
// secret of its Resend webhook): a multi-entity user sends "from" each company with that
// company's Resend account. Secrets are stored encrypted (AES-256-GCM with RELANCE_SECRETS_KEY);
// `api_key_last4` is all the API ever shows of the key.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE account_senders (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN ('resend')),
      api_key_ciphertext text NOT NULL,
      api_key_last4 text NOT NULL,
      webhook_secret_ciphertext text,
      domain text,
      domain_status text,
      rate_per_second double precision CHECK (rate_per_second > 0 AND rate_per_second <= 1000),
      checked_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (account_id)
    )`.execute(db);
  await sql`ALTER TABLE account_senders ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE account_senders FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON account_senders TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`
    CREATE POLICY system_access ON account_senders TO relance_system
      USING (true) WITH CHECK (true)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE account_senders`.execute(db);
}
