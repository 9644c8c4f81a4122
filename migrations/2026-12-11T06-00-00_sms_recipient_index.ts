import { type Kysely, sql } from 'kysely';

// An incoming STOP or START names the number that answered and the sender it answered: the
// accounts that texted that number from that sender are found through this index, not by reading
// every text ever sent (a text has one recipient).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX messages_sms_recipient ON messages ((to_addresses[1]), from_address)
      WHERE channel = 'sms'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX messages_sms_recipient`.execute(db);
}
