import { createHash } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { Documents } from '../../store/db-types.ts';
import type { Document } from './document.schemas.ts';

// Every query on `documents`, with the caller's transaction first.

export type DocumentRow = Selectable<Documents>;
type DocumentMeta = Omit<DocumentRow, 'content'>;

const META = [
  'account_id',
  'id',
  'kind',
  'invoice_id',
  'customer_id',
  'occurrence_id',
  'locale',
  'filename',
  'content_type',
  'byte_size',
  'sha256',
  'purged_at',
  'created_at',
] as const;

export const presentDocument = (row: DocumentMeta, taskId: string | null): Document => ({
  id: row.id,
  object: 'document',
  kind: row.kind as Document['kind'],
  invoice_id: row.invoice_id,
  customer_id: row.customer_id,
  reminder_id: row.occurrence_id,
  task_id: taskId,
  locale: row.locale,
  filename: row.filename,
  content_type: 'application/pdf',
  byte_size: row.byte_size,
  sha256: row.sha256,
  purged: row.purged_at !== null,
  created_at: row.created_at.toISOString(),
});

/** Stores a document's bytes once (with their size and SHA-256) and returns its metadata. */
export function insertDocument(
  trx: Db,
  values: Omit<Insertable<Documents>, 'byte_size' | 'sha256' | 'content'> & { content: Uint8Array },
): Promise<DocumentMeta> {
  const content = Buffer.from(values.content);
  return trx
    .insertInto('documents')
    .values({
      ...values,
      content,
      byte_size: content.byteLength,
      sha256: createHash('sha256').update(content).digest('hex'),
    })
    .returning(META)
    .executeTakeFirstOrThrow();
}

/** A document's metadata and the task that links to it. */
export function findDocument(trx: Db, id: string) {
  return trx
    .selectFrom('documents')
    .leftJoin('tasks', (join) =>
      join.onRef('tasks.account_id', '=', 'documents.account_id').onRef('tasks.document_id', '=', 'documents.id'),
    )
    .select(META.map((c) => `documents.${c}` as const))
    .select('tasks.id as task_id')
    .where('documents.id', '=', id)
    .executeTakeFirst();
}

/** A document's bytes (null once purged). */
export async function documentContent(trx: Db, id: string): Promise<Buffer | null> {
  const row = await trx.selectFrom('documents').select('content').where('id', '=', id).executeTakeFirst();
  return row?.content ?? null;
}

/** Erasure: the customer's documents keep their metadata and lose their bytes. Returns how many. */
export async function purgeDocumentsOfCustomer(
  trx: Db,
  accountId: string,
  customerId: string,
  now: Date,
): Promise<number> {
  const rows = await trx
    .updateTable('documents')
    .set({ content: null, purged_at: now })
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .where('purged_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}
