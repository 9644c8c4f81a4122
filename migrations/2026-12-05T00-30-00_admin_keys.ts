import { type Kysely, sql } from 'kysely';

// Key scopes: only an admin key (or the CLI) creates and revokes keys, so a leaked ordinary key
// cannot mint more (each with its own rate budget) or revoke the owner's. Keys that could manage
// keys before keep that right: every read-write key becomes admin; read-only keys stay as they were.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE api_keys ADD COLUMN admin boolean NOT NULL DEFAULT false`.execute(db);
  await sql`UPDATE api_keys SET admin = true WHERE NOT read_only`.execute(db);
  await sql`ALTER TABLE api_keys ADD CONSTRAINT api_keys_admin_writes CHECK (NOT (admin AND read_only))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE api_keys DROP COLUMN admin`.execute(db);
}
