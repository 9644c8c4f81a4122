import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';

/** What an erased customer keeps: its id, its account, its kind and its settings; nothing that names a person. */
export const eraseCustomerRow = (trx: Db, accountId: string, customerId: string, now: Date) =>
  trx
    .updateTable('customers')
    .set({
      name: 'Erased customer',
      external_id: null,
      email: null,
      cc_emails: [],
      contact_name: null,
      phone: null,
      mobile: null,
      legal_name: null,
      registration_number: null,
      vat_number: null,
      billing_address: null,
      metadata: JSON.stringify({}),
      pause_reason: null,
      erased_at: now,
      updated_at: now,
    })
    .where('account_id', '=', accountId)
    .where('id', '=', customerId)
    .returningAll()
    .executeTakeFirstOrThrow();

/** The messages sent to the customer keep their facts (when, which reminder, status), not their words or addresses. */
export const eraseMessagesOf = (trx: Db, accountId: string, customerId: string, now: Date) =>
  trx
    .updateTable('messages')
    .set({ subject: '', html: '', text: '', to_addresses: [], cc_addresses: [], body_purged_at: now, updated_at: now })
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();

/** Free text people wrote about the customer on its tasks and disputes. */
export async function eraseNotesOf(trx: Db, accountId: string, customerId: string, invoiceIds: readonly string[]) {
  await trx
    .updateTable('tasks')
    .set({ note: null, outcome: null, assignee: null })
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .execute();
  if (invoiceIds.length > 0)
    await trx
      .updateTable('disputes')
      .set({ note: null, resolution_note: null })
      .where('account_id', '=', accountId)
      .where('invoice_id', 'in', invoiceIds)
      .execute();
}

/** Suppressed addresses are the customer's addresses: they go with it. */
export const forgetSuppressions = (trx: Db, accountId: string, emails: readonly string[]) =>
  emails.length === 0
    ? Promise.resolve()
    : trx
        .deleteFrom('email_suppressions')
        .where('account_id', '=', accountId)
        .where(
          'email',
          'in',
          emails.map((e) => e.toLowerCase()),
        )
        .execute();

/**
 * A mobile number that answered STOP is the customer's number: its suppression goes with it, and
 * the events that recorded it no longer name it.
 */
export async function forgetPhoneSuppression(trx: Db, accountId: string, mobile: string | null): Promise<void> {
  if (!mobile) return;
  await trx.deleteFrom('phone_suppressions').where('account_id', '=', accountId).where('phone', '=', mobile).execute();
  await sql`
    UPDATE events SET object_id = 'erased', data = data - 'phone'
     WHERE account_id = ${accountId} AND object_type = 'phone_suppression' AND object_id = ${mobile}`.execute(trx);
}

/** Past events about the customer carried its details: they now carry the erased customer. */
export const rewriteCustomerEvents = (trx: Db, accountId: string, customerId: string, snapshot: unknown) =>
  trx
    .updateTable('events')
    .set({ data: JSON.stringify(snapshot) })
    .where('account_id', '=', accountId)
    .where('object_type', '=', 'customer')
    .where('object_id', '=', customerId)
    .execute();

/** Fields of other objects' events that may name or quote the customer: notes, outcomes, addresses, words sent. */
const PERSONAL_EVENT_FIELDS = [
  'note',
  'resolution_note',
  'outcome',
  'assignee',
  'to_addresses',
  'cc_addresses',
  // A message's recipients as events carry them (email addresses, a mobile number).
  'to',
  'cc',
  'subject',
  'html',
  'text',
];

/** The ids of the customer's disputes, tasks and messages: objects whose events may carry personal words. */
export async function relatedObjectIds(trx: Db, accountId: string, customerId: string, invoiceIds: readonly string[]) {
  const ids = [
    ...(await trx
      .selectFrom('tasks')
      .select('id')
      .where('account_id', '=', accountId)
      .where('customer_id', '=', customerId)
      .execute()),
    ...(await trx
      .selectFrom('messages')
      .select('id')
      .where('account_id', '=', accountId)
      .where('customer_id', '=', customerId)
      .execute()),
    ...(invoiceIds.length === 0
      ? []
      : await trx
          .selectFrom('disputes')
          .select('id')
          .where('account_id', '=', accountId)
          .where('invoice_id', 'in', invoiceIds)
          .execute()),
  ];
  return ids.map((r) => r.id);
}

/** Drops the personal fields from the events of those objects (their facts stay). */
export async function scrubEventsOf(trx: Db, accountId: string, objectIds: readonly string[]) {
  if (objectIds.length === 0) return;
  await sql`
    UPDATE events SET data = data - ${PERSONAL_EVENT_FIELDS}::text[]
     WHERE account_id = ${accountId} AND object_id = ANY(${objectIds})`.execute(trx);
}

export const invoiceIdsOf = async (trx: Db, accountId: string, customerId: string) =>
  (
    await trx
      .selectFrom('invoices')
      .select('id')
      .where('account_id', '=', accountId)
      .where('customer_id', '=', customerId)
      .execute()
  ).map((r) => r.id);

/** Blanks the bodies of messages older than `cutoff`, a batch at a time (system role, every account). */
export async function purgeBodiesBefore(trx: Db, cutoff: Date, limit: number, now: Date): Promise<number> {
  const result = await sql`
    UPDATE messages m SET subject = '', html = '', text = '', body_purged_at = ${now}
     WHERE (m.account_id, m.id) IN (
       SELECT account_id, id FROM messages
        WHERE body_purged_at IS NULL AND created_at < ${cutoff}
        LIMIT ${limit})`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
