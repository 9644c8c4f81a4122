import { type Kysely, sql } from 'kysely';

// The debtor's page: one link per customer, found by the SHA-256 of its token (the token itself
// is kept sealed with the service's secrets key, so that reminders can carry it), rotated by
// revoking the row and creating another. Accounts brand the page and may switch it off.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE portal_links (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      customer_id text NOT NULL,
      token_hash text NOT NULL,
      token_sealed text NOT NULL,
      created_at timestamptz NOT NULL,
      revoked_at timestamptz,
      last_viewed_at timestamptz,
      PRIMARY KEY (account_id, id),
      FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  // Looked up by the hash alone (the visitor names no account): 256 random bits make a collision
  // out of reach, and a unique index across accounts would not shard.
  await sql`CREATE INDEX portal_links_token ON portal_links (token_hash)`.execute(db);
  // At most one live link per customer.
  await sql`CREATE UNIQUE INDEX portal_links_live ON portal_links (account_id, customer_id) WHERE revoked_at IS NULL`.execute(
    db,
  );
  await sql`ALTER TABLE portal_links ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE portal_links FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON portal_links TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`
    CREATE POLICY system_access ON portal_links TO relance_system
      USING (true) WITH CHECK (true)`.execute(db);
  await sql`
    ALTER TABLE accounts
      ADD COLUMN portal_enabled boolean NOT NULL DEFAULT true,
      ADD COLUMN portal_days_after_paid integer NOT NULL DEFAULT 90 CHECK (portal_days_after_paid BETWEEN 0 AND 3650),
      ADD COLUMN brand_colour text,
      ADD COLUMN logo_url text,
      ADD COLUMN checkout_url_template text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE accounts DROP COLUMN portal_enabled, DROP COLUMN portal_days_after_paid, DROP COLUMN brand_colour,
      DROP COLUMN logo_url, DROP COLUMN checkout_url_template`.execute(db);
  await sql`DROP TABLE portal_links`.execute(db);
}
