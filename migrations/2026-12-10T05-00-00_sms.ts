import { type Kysely, sql } from 'kysely';

// Text messages (docs/sms.md): a customer's mobile number in E.164, an account's sender and the
// hours in which texts and calls may reach a customer, the `sms` reminder channel, a message whose
// outcome is unknown (a provider without idempotency key that may have taken it: never sent
// again by itself), and the numbers that answered STOP, per account.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE customers
      ADD COLUMN mobile text CHECK (mobile ~ '^\\+[1-9][0-9]{6,14}$')`.execute(db);
  await sql`
    ALTER TABLE accounts
      ADD COLUMN sms_sender text CHECK (sms_sender ~ '^(\\+[1-9][0-9]{6,14}|[A-Za-z0-9 ]{1,11})$'),
      ADD COLUMN daytime_from_hour integer NOT NULL DEFAULT 8 CHECK (daytime_from_hour BETWEEN 0 AND 23),
      ADD COLUMN daytime_until_hour integer NOT NULL DEFAULT 20 CHECK (daytime_until_hour BETWEEN 1 AND 24)`.execute(
    db,
  );
  await sql`ALTER TABLE reminder_occurrences DROP CONSTRAINT reminder_occurrences_channel_check`.execute(db);
  await sql`
    ALTER TABLE reminder_occurrences ADD CONSTRAINT reminder_occurrences_channel_check
      CHECK (channel IN ('email', 'sms', 'call', 'letter', 'collection', 'webhook'))`.execute(db);
  await sql`ALTER TABLE messages DROP CONSTRAINT messages_status_check`.execute(db);
  await sql`
    ALTER TABLE messages ADD CONSTRAINT messages_status_check
      CHECK (status IN ('pending', 'sent', 'delivered', 'bounced', 'complained', 'failed', 'canceled', 'unknown'))`.execute(
    db,
  );
  await sql`ALTER TABLE message_templates ADD COLUMN sms text`.execute(db);
  await sql`
    CREATE TABLE phone_suppressions (
      account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
      phone text NOT NULL,
      reason text NOT NULL CHECK (reason IN ('stop', 'opted_out', 'manual')),
      message_id text,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, phone)
    )`.execute(db);
  await sql`ALTER TABLE phone_suppressions ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE phone_suppressions FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON phone_suppressions TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`
    CREATE POLICY system_access ON phone_suppressions TO relance_system
      USING (true) WITH CHECK (true)`.execute(db);
  // Delivery callbacks find their message by the provider's id.
  await sql`CREATE INDEX messages_provider_message_id ON messages (provider_message_id) WHERE channel = 'sms'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX messages_provider_message_id`.execute(db);
  await sql`DROP TABLE phone_suppressions`.execute(db);
  await sql`ALTER TABLE message_templates DROP COLUMN sms`.execute(db);
  await sql`ALTER TABLE messages DROP CONSTRAINT messages_status_check`.execute(db);
  await sql`
    ALTER TABLE messages ADD CONSTRAINT messages_status_check
      CHECK (status IN ('pending', 'sent', 'delivered', 'bounced', 'complained', 'failed', 'canceled'))`.execute(db);
  await sql`ALTER TABLE reminder_occurrences DROP CONSTRAINT reminder_occurrences_channel_check`.execute(db);
  await sql`
    ALTER TABLE reminder_occurrences ADD CONSTRAINT reminder_occurrences_channel_check
      CHECK (channel IN ('email', 'call', 'letter', 'collection', 'webhook'))`.execute(db);
  await sql`
    ALTER TABLE accounts DROP COLUMN sms_sender, DROP COLUMN daytime_from_hour, DROP COLUMN daytime_until_hour`.execute(
    db,
  );
  await sql`ALTER TABLE customers DROP COLUMN mobile`.execute(db);
}
