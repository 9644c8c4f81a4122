import { type Kysely, sql } from 'kysely';

// An email step can attach the invoice's PDF (docs/email.md#attachments): the message keeps the
// URL it is fetched from, the stored copy once fetched (a retry sends the same bytes), or why it
// could not be fetched (the email then goes with the link only).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE documents DROP CONSTRAINT documents_kind_check`.execute(db);
  await sql`ALTER TABLE documents ADD CONSTRAINT documents_kind_check CHECK (kind IN ('formal_notice', 'invoice_copy'))`.execute(
    db,
  );
  await sql`
    ALTER TABLE messages
      ADD COLUMN attachment_url text,
      ADD COLUMN attachment_document_id text,
      ADD COLUMN attachment_error text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE messages DROP COLUMN attachment_url, DROP COLUMN attachment_document_id, DROP COLUMN attachment_error`.execute(
    db,
  );
  await sql`DELETE FROM documents WHERE kind = 'invoice_copy'`.execute(db);
  await sql`ALTER TABLE documents DROP CONSTRAINT documents_kind_check`.execute(db);
  await sql`ALTER TABLE documents ADD CONSTRAINT documents_kind_check CHECK (kind IN ('formal_notice'))`.execute(db);
}
