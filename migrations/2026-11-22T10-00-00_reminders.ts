import { type Kysely, sql } from 'kysely';

// The reminder engine: policies, planned occurrences, messages and their delivery, tasks,
// disputes, pauses and promises to pay, template overrides, per-account test clocks.
const NEW_TENANT_TABLES = [
  'reminder_policies',
  'reminder_occurrences',
  'messages',
  'email_suppressions',
  'message_templates',
  'tasks',
  'disputes',
  'account_clocks',
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE reminder_policies (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      name text NOT NULL,
      steps jsonb NOT NULL,
      repeat_every_days integer CHECK (repeat_every_days BETWEEN 1 AND 365),
      repeat_max integer CHECK (repeat_max BETWEEN 1 AND 100),
      send_hour integer NOT NULL DEFAULT 9 CHECK (send_hour BETWEEN 0 AND 23),
      send_minute integer NOT NULL DEFAULT 0 CHECK (send_minute BETWEEN 0 AND 59),
      skip_weekends boolean NOT NULL DEFAULT true,
      min_balance jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, id),
      CHECK ((repeat_every_days IS NULL) = (repeat_max IS NULL))
    )`.execute(db);

  await sql`ALTER TABLE accounts ADD COLUMN default_reminder_policy_id text`.execute(db);
  await sql`
    ALTER TABLE accounts ADD FOREIGN KEY (id, default_reminder_policy_id)
      REFERENCES reminder_policies (account_id, id) DEFERRABLE INITIALLY DEFERRED`.execute(db);

  await sql`
    ALTER TABLE customers
      ADD COLUMN reminder_policy_id text,
      ADD COLUMN paused boolean NOT NULL DEFAULT false,
      ADD COLUMN paused_until date,
      ADD COLUMN pause_reason text,
      ADD FOREIGN KEY (account_id, reminder_policy_id) REFERENCES reminder_policies (account_id, id)`.execute(db);

  await sql`
    ALTER TABLE invoices
      ADD COLUMN reminder_policy_id text,
      ADD COLUMN disputed boolean NOT NULL DEFAULT false,
      ADD COLUMN paused boolean NOT NULL DEFAULT false,
      ADD COLUMN paused_until date,
      ADD COLUMN pause_reason text,
      ADD COLUMN promise_to_pay_on date,
      ADD COLUMN overdue_notified_at timestamptz,
      ADD COLUMN due_soon_notified_at timestamptz,
      -- Set when the policy it follows changed: the engine replans it before sending anything.
      ADD COLUMN needs_replan boolean NOT NULL DEFAULT false,
      ADD FOREIGN KEY (account_id, reminder_policy_id) REFERENCES reminder_policies (account_id, id)`.execute(db);

  // One row per (invoice, step, repeat): planning twice changes times, never adds a second reminder.
  await sql`
    CREATE TABLE reminder_occurrences (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      invoice_id text NOT NULL,
      policy_id text NOT NULL,
      step_id text NOT NULL,
      repeat_index integer NOT NULL DEFAULT 0,
      offset_days integer NOT NULL,
      channel text NOT NULL CHECK (channel IN ('email', 'call', 'letter', 'collection', 'webhook')),
      template_key text,
      applies_late_fees boolean NOT NULL DEFAULT false,
      status text NOT NULL CHECK (status IN ('scheduled', 'held', 'sending', 'sent', 'skipped', 'failed', 'canceled')),
      scheduled_at timestamptz,
      hold_reason text,
      skip_reason text,
      failure text,
      attempts integer NOT NULL DEFAULT 0,
      message_id text,
      task_id text,
      sent_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      CONSTRAINT reminder_occurrences_plan_key UNIQUE (account_id, invoice_id, step_id, repeat_index),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id) ON DELETE CASCADE,
      CHECK (status <> 'scheduled' OR scheduled_at IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX reminder_occurrences_due ON reminder_occurrences (scheduled_at) WHERE status IN ('scheduled', 'sending')`.execute(
    db,
  );
  await sql`CREATE INDEX reminder_occurrences_invoice ON reminder_occurrences (account_id, invoice_id)`.execute(db);
  await sql`CREATE INDEX invoices_needs_replan ON invoices (account_id) WHERE needs_replan`.execute(db);
  await sql`CREATE INDEX events_account_seq ON events (account_id, seq)`.execute(db);

  await sql`
    CREATE TABLE messages (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      occurrence_id text,
      invoice_id text,
      customer_id text,
      channel text NOT NULL DEFAULT 'email',
      transport text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'sent', 'delivered', 'bounced', 'complained', 'failed', 'canceled')),
      from_address text NOT NULL,
      reply_to text,
      to_addresses text[] NOT NULL,
      cc_addresses text[] NOT NULL DEFAULT '{}',
      subject text NOT NULL,
      html text NOT NULL,
      text text NOT NULL,
      template_key text,
      locale text,
      provider_message_id text,
      error text,
      attempts integer NOT NULL DEFAULT 0,
      sent_at timestamptz,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      CONSTRAINT messages_occurrence_key UNIQUE (account_id, occurrence_id)
    )`.execute(db);
  await sql`CREATE INDEX messages_provider ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE email_suppressions (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      email text NOT NULL,
      reason text NOT NULL CHECK (reason IN ('bounced', 'complained', 'manual')),
      message_id text,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, email)
    )`.execute(db);

  await sql`
    CREATE TABLE message_templates (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      key text NOT NULL,
      locale text NOT NULL,
      subject text NOT NULL,
      html text NOT NULL,
      text text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, key, locale)
    )`.execute(db);

  await sql`
    CREATE TABLE tasks (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('call', 'letter', 'collection')),
      status text NOT NULL CHECK (status IN ('open', 'completed', 'canceled')),
      invoice_id text NOT NULL,
      customer_id text NOT NULL,
      occurrence_id text,
      due_on date NOT NULL,
      assignee text,
      outcome text,
      note text,
      promise_to_pay_on date,
      completed_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      CONSTRAINT tasks_occurrence_key UNIQUE (account_id, occurrence_id),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX tasks_open ON tasks (account_id, status, due_on)`.execute(db);

  await sql`
    CREATE TABLE disputes (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      invoice_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'resolved')),
      reason text NOT NULL,
      note text,
      resolution text CHECK (resolution IN ('for_customer', 'for_creditor')),
      resolution_note text,
      opened_at timestamptz NOT NULL,
      resolved_at timestamptz,
      PRIMARY KEY (account_id, id),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id) ON DELETE CASCADE
    )`.execute(db);
  // At most one open dispute per invoice.
  await sql`CREATE UNIQUE INDEX disputes_one_open ON disputes (account_id, invoice_id) WHERE status = 'open'`.execute(
    db,
  );

  await sql`
    CREATE TABLE account_clocks (
      account_id text PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
      now timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
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
  await sql`DROP INDEX events_account_seq`.execute(db);
  for (const table of [...NEW_TENANT_TABLES].reverse()) await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  await sql`
    ALTER TABLE invoices DROP COLUMN reminder_policy_id, DROP COLUMN disputed, DROP COLUMN paused,
      DROP COLUMN paused_until, DROP COLUMN pause_reason, DROP COLUMN promise_to_pay_on,
      DROP COLUMN overdue_notified_at, DROP COLUMN due_soon_notified_at, DROP COLUMN needs_replan`.execute(db);
  await sql`ALTER TABLE customers DROP COLUMN reminder_policy_id, DROP COLUMN paused, DROP COLUMN paused_until, DROP COLUMN pause_reason`.execute(
    db,
  );
  await sql`ALTER TABLE accounts DROP COLUMN default_reminder_policy_id`.execute(db);
}
