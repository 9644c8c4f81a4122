import { createHash } from 'node:crypto';
import { type Insertable, type Selectable, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { Documents } from '../../store/db-types.ts';
import type { Document } from './document.schemas.ts';

// Every query on `documents`, and the account's clock as the letter writer reads it, with the
// caller's transaction first.

export type DocumentRow = Selectable<Documents>;
type DocumentMeta = Pick<DocumentRow, (typeof META)[number]>;

const META = [
  'account_id',
  'id',
  'kind',
  'status',
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
  status: row.status as Document['status'],
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

/** A file's stored columns: its bytes, their size and SHA-256. */
const fileOf = (bytes: Uint8Array) => {
  const content = Buffer.from(bytes);
  return { content, byte_size: content.byteLength, sha256: createHash('sha256').update(content).digest('hex') };
};

type NewDocument = Omit<Insertable<Documents>, 'byte_size' | 'sha256' | 'content' | 'status' | 'stored_at' | 'facts'>;

/** Stores a document's bytes once (with their size and SHA-256) and returns its metadata. */
export function insertDocument(trx: Db, values: NewDocument & { content: Uint8Array }): Promise<DocumentMeta> {
  return trx
    .insertInto('documents')
    .values({ ...values, ...fileOf(values.content), status: 'stored', stored_at: values.created_at })
    .returning(META)
    .executeTakeFirstOrThrow();
}

/** Records a document decided now and written later (`pending`, no file yet), with the facts it will state. */
export function insertPendingDocument(trx: Db, values: NewDocument & { facts: object }): Promise<DocumentMeta> {
  return trx
    .insertInto('documents')
    .values({ ...values, facts: JSON.stringify(values.facts), status: 'pending' })
    .returning(META)
    .executeTakeFirstOrThrow();
}

/**
 * Locks pending documents of the caller's account to write their files, oldest first: SKIP LOCKED
 * leaves those another worker is writing to it. `ids`: only these (a pass's candidates).
 */
export function lockPendingDocuments(trx: Db, accountId: string, ids: readonly string[]) {
  return trx
    .selectFrom('documents')
    .select(['id', 'kind', 'invoice_id', 'facts', 'render_attempts', 'created_at'])
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .where('purged_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Writes a pending document's file, once: the row must still be pending (its lock held). */
export function storeDocumentFile(
  trx: Db,
  accountId: string,
  id: string,
  bytes: Uint8Array,
  now: Date,
): Promise<DocumentMeta> {
  return trx
    .updateTable('documents')
    .set({ ...fileOf(bytes), status: 'stored', stored_at: now, render_error: null, render_after: null })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning(META)
    .executeTakeFirstOrThrow();
}

/** A pending document whose file could not be written: tried again after `after`. */
export async function deferDocument(trx: Db, accountId: string, id: string, error: string, after: Date): Promise<void> {
  await trx
    .updateTable('documents')
    .set((eb) => ({ render_attempts: eb('render_attempts', '+', 1), render_error: error, render_after: after }))
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .execute();
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

/** A document's file name. */
export async function documentFilename(trx: Db, id: string): Promise<string | undefined> {
  return (await trx.selectFrom('documents').select('filename').where('id', '=', id).executeTakeFirst())?.filename;
}

/**
 * Erasure: the customer's documents keep their metadata and lose their bytes, and a letter not
 * yet written the facts it would have stated (it is then never written). Returns how many.
 */
export async function purgeDocumentsOfCustomer(
  trx: Db,
  accountId: string,
  customerId: string,
  now: Date,
): Promise<number> {
  const rows = await trx
    .updateTable('documents')
    .set({ content: null, facts: null, purged_at: now })
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .where('purged_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}

/**
 * The account's mode and, for a test account, its clock's time (null without one): the time
 * its letters are stored at.
 */
export const accountClockOf = (trx: Db, accountId: string) =>
  trx
    .selectFrom('accounts')
    .select([
      'mode',
      (eb) =>
        eb
          .selectFrom('account_clocks')
          .select('account_clocks.now')
          .whereRef('account_clocks.account_id', '=', 'accounts.id')
          .as('now'),
    ])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();

/** Letters waiting to be written now (of one account, or of all), oldest first, across accounts. */
export async function pendingDocumentsDue(
  trx: Db,
  options: { accountId?: string | undefined; now: Date; limit: number },
) {
  return (
    await sql<{ account_id: string; id: string }>`
          SELECT account_id, id FROM documents
           WHERE status = 'pending' AND purged_at IS NULL
             AND (render_after IS NULL OR render_after <= ${options.now})
             ${options.accountId ? sql`AND account_id = ${options.accountId}` : sql``}
           ORDER BY created_at LIMIT ${options.limit}`.execute(trx)
  ).rows;
}
