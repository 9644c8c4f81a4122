import { type Kysely, sql } from 'kysely';

// Consolidated reminders (docs/reminders.md#one-message-per-customer): a policy may group a
// customer's reminders of one day and one channel into one message. The message carries the
// group's key (customer, local day, channel): at most one such message is live per key, so a
// second worker, a retry or a crash never sends the group twice.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE reminder_policies
      ADD COLUMN grouping text NOT NULL DEFAULT 'invoice' CHECK (grouping IN ('invoice', 'customer'))`.execute(db);
  await sql`ALTER TABLE messages ADD COLUMN group_key text`.execute(db);
  await sql`
    CREATE UNIQUE INDEX messages_group_key ON messages (account_id, group_key)
      WHERE group_key IS NOT NULL AND status <> 'canceled'`.execute(db);
  // The reminders a message on its way carries (several for a grouped one).
  await sql`
    CREATE INDEX reminder_occurrences_sending_message ON reminder_occurrences (account_id, message_id)
      WHERE status = 'sending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX reminder_occurrences_sending_message`.execute(db);
  await sql`DROP INDEX messages_group_key`.execute(db);
  await sql`ALTER TABLE messages DROP COLUMN group_key`.execute(db);
  await sql`ALTER TABLE reminder_policies DROP COLUMN grouping`.execute(db);
}
