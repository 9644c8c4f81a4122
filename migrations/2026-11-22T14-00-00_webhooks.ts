import { type Kysely, sql } from 'kysely';

// Tenant tables, as in the foundation: account_id in every key, RLS enabled and forced.
const NEW_TENANT_TABLES = ['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts'];

export async function up(db: Kysely<any>): Promise<void> {
  // Events still to hand to webhook endpoints. Events written before this migration count as
  // handed (the column's first default fills them without rewriting the table); new rows take
  // the second default, so no writer of events (the invoice fast path included) changes. The
  // dispatcher marks them, so a transaction that commits late is never skipped.
  await sql`ALTER TABLE events ADD COLUMN dispatched boolean NOT NULL DEFAULT true`.execute(db);
  await sql`ALTER TABLE events ALTER COLUMN dispatched SET DEFAULT false`.execute(db);
  await sql`CREATE INDEX events_undispatched ON events (seq) WHERE NOT dispatched`.execute(db);

  await sql`
    CREATE TABLE webhook_endpoints (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      url text NOT NULL,
      description text,
      enabled_events text[] NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      disabled_reason text,
      secret text NOT NULL,
      -- After a rotation the old secret still signs until it expires.
      previous_secret text,
      previous_secret_expires_at timestamptz,
      -- The first failed attempt of the current run of failures (null once an attempt succeeds).
      failing_since timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX webhook_endpoints_enabled ON webhook_endpoints (account_id) WHERE enabled`.execute(db);

  await sql`
    CREATE TABLE webhook_deliveries (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      endpoint_id text NOT NULL,
      event_id text NOT NULL,
      event_type text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempt_count integer NOT NULL DEFAULT 0,
      -- Pending and waiting for this time; null while a job for it is queued or running.
      next_attempt_at timestamptz,
      last_attempt_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      FOREIGN KEY (account_id, endpoint_id) REFERENCES webhook_endpoints (account_id, id) ON DELETE CASCADE,
      FOREIGN KEY (account_id, event_id) REFERENCES events (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (account_id, endpoint_id, id)`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_event ON webhook_deliveries (account_id, event_id)`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending' AND next_attempt_at IS NOT NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE webhook_attempts (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      delivery_id text NOT NULL,
      endpoint_id text NOT NULL,
      event_id text NOT NULL,
      attempted_at timestamptz NOT NULL,
      status_code integer,
      duration_ms integer NOT NULL,
      response_excerpt text,
      error text,
      succeeded boolean NOT NULL,
      next_attempt_at timestamptz,
      PRIMARY KEY (account_id, id),
      FOREIGN KEY (account_id, delivery_id) REFERENCES webhook_deliveries (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX webhook_attempts_delivery ON webhook_attempts (account_id, delivery_id, id)`.execute(db);
  await sql`CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (account_id, endpoint_id, id)`.execute(db);

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
  await sql`ALTER TABLE events DROP COLUMN dispatched`.execute(db);
}
