import { type Kysely, sql } from 'kysely';

// A `letter` step's formal notice is decided in the reminder's claim transaction (the invoice row
// locked) and written as PDF afterwards, by the workers: the document row is created `pending`,
// with `facts`, the snapshot of exactly what the letter states as of the day it was decided, and
// becomes `stored` (its bytes, size and SHA-256) once rendered. The pending rows are the outbox
// the workers take work from (`documents_pending`); a render that fails waits `render_after`.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE documents
      ADD COLUMN status text NOT NULL DEFAULT 'stored' CHECK (status IN ('pending', 'stored')),
      ADD COLUMN facts jsonb,
      ADD COLUMN stored_at timestamptz,
      ADD COLUMN render_attempts integer NOT NULL DEFAULT 0,
      ADD COLUMN render_after timestamptz,
      ADD COLUMN render_error text,
      ALTER COLUMN byte_size DROP NOT NULL,
      ALTER COLUMN sha256 DROP NOT NULL,
      ADD CONSTRAINT documents_stored_file CHECK (status = 'pending' OR (byte_size IS NOT NULL AND sha256 IS NOT NULL))`.execute(
    db,
  );
  await sql`UPDATE documents SET stored_at = created_at`.execute(db);
  await sql`CREATE INDEX documents_pending ON documents (created_at) WHERE status = 'pending' AND purged_at IS NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM documents WHERE status = 'pending'`.execute(db);
  await sql`UPDATE tasks t SET document_id = NULL WHERE document_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.account_id = t.account_id AND d.id = t.document_id)`.execute(
    db,
  );
  await sql`DROP INDEX documents_pending`.execute(db);
  await sql`
    ALTER TABLE documents
      DROP CONSTRAINT documents_stored_file,
      ALTER COLUMN byte_size SET NOT NULL,
      ALTER COLUMN sha256 SET NOT NULL,
      DROP COLUMN status,
      DROP COLUMN facts,
      DROP COLUMN stored_at,
      DROP COLUMN render_attempts,
      DROP COLUMN render_after,
      DROP COLUMN render_error`.execute(db);
}
