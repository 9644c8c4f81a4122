import { type Expression, type Insertable, type Selectable, type SqlBool, sql } from 'kysely';
import type { OutgoingEmail } from '../../mail/transport.ts';
import type { Db } from '../../store/database.ts';
import type { EmailSuppressions, Messages, PhoneSuppressions } from '../../store/db-types.ts';
import { fetchPage, keysetPage } from '../shared/index.ts';
import { normalizeEmail } from './message.rules.ts';
import type {
  Message,
  MessageListQuery,
  MessageStatus,
  PhoneSuppression,
  PhoneSuppressionListQuery,
  Suppression,
  SuppressionListQuery,
  SuppressionReason,
} from './message.schemas.ts';

export type MessageRow = Selectable<Messages>;
export type SuppressionRow = Selectable<EmailSuppressions>;
export type PhoneSuppressionRow = Selectable<PhoneSuppressions>;

/** A new message: its rendered bytes and where it goes. Status, attempts and provider fields start empty. */
export type PendingMessageValues = Omit<
  Insertable<Messages>,
  'status' | 'channel' | 'provider_message_id' | 'error' | 'attempts' | 'sent_at' | 'delivered_at'
>;

const ERROR_MAX = 1000;

export function presentMessage(row: MessageRow, options: { bodies: boolean }): Message {
  return {
    id: row.id,
    object: 'message',
    channel: row.channel as Message['channel'],
    transport: row.transport as Message['transport'],
    status: row.status as MessageStatus,
    occurrence_id: row.occurrence_id,
    invoice_id: row.invoice_id,
    customer_id: row.customer_id,
    from: row.from_address,
    to: row.to_addresses,
    cc: row.cc_addresses,
    reply_to: row.reply_to,
    subject: row.subject,
    ...(options.bodies && { html: row.html, text: row.text }),
    template_key: row.template_key,
    group_key: row.group_key,
    locale: row.locale,
    provider_message_id: row.provider_message_id,
    error: row.error,
    attachment: row.attachment_kind
      ? {
          kind: row.attachment_kind as 'invoice_pdf' | 'statement',
          url: row.attachment_url,
          document_id: row.attachment_document_id,
          error: row.attachment_error,
        }
      : null,
    attempts: row.attempts,
    sent_at: row.sent_at?.toISOString() ?? null,
    delivered_at: row.delivered_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export const presentSuppression = (row: SuppressionRow): Suppression => ({
  object: 'suppression',
  email: row.email,
  reason: row.reason as SuppressionReason,
  message_id: row.message_id,
  created_at: row.created_at.toISOString(),
});

export const presentPhoneSuppression = (row: PhoneSuppressionRow): PhoneSuppression => ({
  object: 'phone_suppression',
  phone: row.phone,
  reason: row.reason as PhoneSuppression['reason'],
  message_id: row.message_id,
  created_at: row.created_at.toISOString(),
});

/** The stored bytes of a message, as a transport sends them: a retry sends exactly what was stored. */
export function outgoingEmailOf(
  row: Pick<MessageRow, 'from_address' | 'to_addresses' | 'cc_addresses' | 'reply_to' | 'subject' | 'html' | 'text'>,
  tags?: Record<string, string>,
  attachments?: OutgoingEmail['attachments'],
): OutgoingEmail {
  return {
    from: row.from_address,
    to: row.to_addresses,
    cc: row.cc_addresses,
    replyTo: row.reply_to,
    subject: row.subject,
    html: row.html,
    text: row.text,
    ...(tags && { tags }),
    ...(attachments?.length && { attachments }),
  };
}

export const findMessage = (trx: Db, id: string) =>
  trx.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();

export const findMessageForOccurrence = (trx: Db, occurrenceId: string) =>
  trx.selectFrom('messages').selectAll().where('occurrence_id', '=', occurrenceId).executeTakeFirst();

/** Stores messages delivered in the transaction that composed them (a local transport). */
export async function insertMessages(trx: Db, rows: ReadonlyArray<Insertable<Messages>>): Promise<void> {
  if (rows.length > 0)
    await trx
      .insertInto('messages')
      .values([...rows])
      .execute();
}

/** A pending message that will not be sent (its reminder was stopped before delivery). */
export async function cancelMessage(trx: Db, id: string, at: Date): Promise<void> {
  await trx.updateTable('messages').set({ status: 'canceled', updated_at: at }).where('id', '=', id).execute();
}

/**
 * Stores a message as `pending`, in the caller's transaction. An occurrence has at most one
 * message: if it already has one, that one is returned unchanged (its stored bytes are what a
 * retry sends), so compare the returned id with `values.id` to know which.
 */
export async function insertPendingMessage(trx: Db, values: PendingMessageValues): Promise<MessageRow> {
  const inserted = await trx
    .insertInto('messages')
    .values({ ...values, status: 'pending' })
    .onConflict((oc) => oc.columns(['account_id', 'occurrence_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  const existing = values.occurrence_id ? await findMessageForOccurrence(trx, values.occurrence_id) : undefined;
  if (!existing) throw new Error(`message for occurrence ${values.occurrence_id} neither inserted nor found`);
  return existing;
}

/**
 * Records that the provider accepted a pending (or previously failed) message. Returns the
 * updated row, or undefined when the message is not pending or failed (already sent, canceled…).
 */
export function markMessageSent(
  trx: Db,
  id: string,
  providerMessageId: string,
  at: Date,
): Promise<MessageRow | undefined> {
  return trx
    .updateTable('messages')
    .set((eb) => ({
      status: 'sent',
      provider_message_id: providerMessageId,
      error: null,
      attempts: eb('attempts', '+', 1),
      sent_at: at,
      updated_at: at,
    }))
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'failed', 'unknown'])
    .returningAll()
    .executeTakeFirst();
}

/**
 * Records a failed attempt (the provider refused the email, or could not be reached). A failed
 * message may still be sent by a later attempt (`markMessageSent` accepts it).
 */
export const markMessageFailed = (trx: Db, id: string, error: string, at: Date) =>
  settleAttempt(trx, id, 'failed', error, at);

/**
 * Records that a text message's last attempt has an unknown outcome: the provider may have sent
 * it, and, without an idempotency key, asking again could send it twice. It stays `unknown` for a
 * person to look at (docs/sms.md#effectively-once); the attempt is counted.
 */
export const markMessageUnknown = (trx: Db, id: string, error: string, at: Date) =>
  settleAttempt(trx, id, 'unknown', error, at);

function settleAttempt(
  trx: Db,
  id: string,
  status: 'failed' | 'unknown',
  error: string,
  at: Date,
): Promise<MessageRow | undefined> {
  return trx
    .updateTable('messages')
    .set((eb) => ({
      status,
      error: error.slice(0, ERROR_MAX),
      attempts: eb('attempts', '+', 1),
      updated_at: at,
    }))
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'failed', 'unknown'])
    .returningAll()
    .executeTakeFirst();
}

/** The mobile numbers (E.164) suppressed in the transaction's account among `phones`. */
export async function suppressedPhones(trx: Db, accountId: string, phones: readonly string[]): Promise<Set<string>> {
  if (phones.length === 0) return new Set();
  const rows = await trx
    .selectFrom('phone_suppressions')
    .select('phone')
    .where('account_id', '=', accountId)
    .where('phone', 'in', [...new Set(phones)])
    .execute();
  return new Set(rows.map((r) => r.phone));
}

/** Suppresses a mobile number in an account (it answered STOP, or the provider says it opted out); true when new. */
export async function suppressPhone(
  trx: Db,
  values: {
    accountId: string;
    phone: string;
    reason: 'stop' | 'opted_out' | 'manual';
    messageId: string | null;
    at: Date;
  },
): Promise<boolean> {
  const row = await trx
    .insertInto('phone_suppressions')
    .values({
      account_id: values.accountId,
      phone: values.phone,
      reason: values.reason,
      message_id: values.messageId,
      created_at: values.at,
    })
    .onConflict((oc) => oc.columns(['account_id', 'phone']).doNothing())
    .returning('phone')
    .executeTakeFirst();
  return row !== undefined;
}

/** Records the stored copy of a message's attachment, or why it could not be had (set once). */
export async function setMessageAttachment(
  trx: Db,
  accountId: string,
  id: string,
  values: { attachment_document_id: string } | { attachment_error: string },
  at: Date,
): Promise<void> {
  await trx
    .updateTable('messages')
    .set({ ...values, updated_at: at })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('attachment_document_id', 'is', null)
    .where('attachment_error', 'is', null)
    .execute();
}

/** Which of these addresses are suppressed in the transaction's account (compared case-insensitively); returned as given. */
export async function isSuppressed(trx: Db, emails: string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const rows = await trx
    .selectFrom('email_suppressions')
    .select('email')
    .where('email', 'in', [...new Set(emails.map(normalizeEmail))])
    .execute();
  const suppressed = new Set(rows.map((r) => r.email));
  return emails.filter((e) => suppressed.has(normalizeEmail(e)));
}

/** Suppresses addresses (normalized) in the account; returns the rows that are new. */
export async function suppressAddresses(
  trx: Db,
  values: { accountId: string; emails: string[]; reason: SuppressionReason; messageId: string | null; at: Date },
): Promise<SuppressionRow[]> {
  const emails = [...new Set(values.emails.map(normalizeEmail))].filter(Boolean);
  if (emails.length === 0) return [];
  return trx
    .insertInto('email_suppressions')
    .values(
      emails.map((email) => ({
        account_id: values.accountId,
        email,
        reason: values.reason,
        message_id: values.messageId,
        created_at: values.at,
      })),
    )
    .onConflict((oc) => oc.columns(['account_id', 'email']).doNothing())
    .returningAll()
    .execute();
}

/** Matches a message any of whose `to` addresses is `address`, case-insensitively. */
export const sentTo = (address: string) =>
  sql<boolean>`exists (select 1 from unnest(to_addresses) as t(address) where lower(t.address) = ${normalizeEmail(address)})`;

/**
 * Remembers under which idempotency key messages were offered to the provider (`key`), or
 * forgets it (null) once the outcome is known not to be "maybe taken": while it is kept, a retry
 * offers them again together, under the same key.
 */
export async function setMessageCallKey(
  trx: Db,
  accountId: string,
  ids: readonly string[],
  key: string | null,
  at: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('messages')
    .set({ batch_key: key, updated_at: at })
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .execute();
}

/**
 * The reminders whose messages went in the same provider call as these reminders' messages,
 * with its outcome unknown (still pending or failed, key kept): they are offered again together.
 */
export async function occurrencesOfOpenCalls(
  trx: Db,
  accountId: string,
  occurrenceIds: readonly string[],
): Promise<string[]> {
  if (occurrenceIds.length === 0) return [];
  // Through the reminders' `message_id`: a grouped message carries several reminders.
  const keys = trx
    .selectFrom('messages as m')
    .innerJoin('reminder_occurrences as o', (j) =>
      j.onRef('o.account_id', '=', 'm.account_id').onRef('o.message_id', '=', 'm.id'),
    )
    .select('m.batch_key')
    .where('o.account_id', '=', accountId)
    .where('o.id', 'in', occurrenceIds)
    .where('m.batch_key', 'is not', null)
    .where('m.status', 'in', ['pending', 'failed']);
  const rows = await trx
    .selectFrom('messages as m')
    .innerJoin('reminder_occurrences as o', (j) =>
      j.onRef('o.account_id', '=', 'm.account_id').onRef('o.message_id', '=', 'm.id'),
    )
    .select('o.id')
    .where('m.account_id', '=', accountId)
    .where('m.batch_key', 'in', keys)
    .where('m.status', 'in', ['pending', 'failed'])
    .where('o.status', '=', 'sending')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Which of these invoices the customer has had a message about: one sent, delivered or on its
 * way (a failed, canceled or bounced message reached nobody).
 */
export async function invoicesContacted(
  trx: Db,
  accountId: string,
  invoiceIds: readonly string[],
): Promise<Set<string>> {
  if (invoiceIds.length === 0) return new Set();
  const live = ['failed', 'canceled', 'bounced'];
  const rows = await trx
    .selectFrom('messages')
    .select('invoice_id')
    .distinct()
    .where('account_id', '=', accountId)
    .where('invoice_id', 'in', [...invoiceIds])
    .where('status', 'not in', live)
    // A grouped message names no single invoice: each reminder it carried does.
    .union((db) =>
      db
        .selectFrom('reminder_occurrences as o')
        .innerJoin('messages as m', (j) =>
          j.onRef('m.account_id', '=', 'o.account_id').onRef('m.id', '=', 'o.message_id'),
        )
        .select('o.invoice_id')
        .where('o.account_id', '=', accountId)
        .where('o.invoice_id', 'in', [...invoiceIds])
        .where('m.group_key', 'is not', null)
        .where('m.status', 'not in', live),
    )
    .execute();
  return new Set(rows.map((r) => r.invoice_id).filter((id): id is string => id !== null));
}

/** Whether a grouped message under `groupKey` (customer, local day, channel) is live: stored and not canceled. */
export async function liveGroupMessage(trx: Db, accountId: string, groupKey: string): Promise<boolean> {
  const row = await trx
    .selectFrom('messages')
    .select('id')
    .where('account_id', '=', accountId)
    .where('group_key', '=', groupKey)
    .where('status', '<>', 'canceled')
    .executeTakeFirst();
  return row !== undefined;
}

/** The messages about these invoices, oldest first (for `Database.readAsAccount`). */
export const messagesOfInvoices = (db: Db, accountSet: Expression<SqlBool>, invoiceIds: readonly string[]) =>
  db.selectFrom('messages').selectAll().where(accountSet).where('invoice_id', 'in', invoiceIds).orderBy('id');

/** One page of messages, newest first, filtered. */
export function listMessages(trx: Db, query: MessageListQuery) {
  let q = keysetPage(trx.selectFrom('messages').selectAll(), query);
  const invoiceId = query.invoice_id;
  // A grouped message is about each invoice whose reminder it carried.
  if (invoiceId)
    q = q.where((eb) =>
      eb.or([
        eb('invoice_id', '=', invoiceId),
        eb(
          'id',
          'in',
          eb
            .selectFrom('reminder_occurrences')
            .select('message_id')
            .where('invoice_id', '=', invoiceId)
            .where('message_id', 'is not', null)
            .$narrowType<{ message_id: string }>(),
        ),
      ]),
    );
  if (query.customer_id) q = q.where('customer_id', '=', query.customer_id);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.to) q = q.where(sentTo(query.to));
  return q.execute();
}

/** Locks a message to apply a provider's event to it. */
export const lockMessage = (trx: Db, id: string) =>
  trx.selectFrom('messages').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

/** A message's new delivery status from a provider's event, with when it was delivered or why it bounced. */
export const setDeliveryStatus = (
  trx: Db,
  id: string,
  change: { status: MessageStatus; deliveredAt?: Date; error?: string; now: Date },
) =>
  trx
    .updateTable('messages')
    .set({
      status: change.status,
      ...(change.deliveredAt !== undefined && { delivered_at: change.deliveredAt }),
      ...(change.error !== undefined && { error: change.error }),
      updated_at: change.now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/**
 * The messages, in any account, a provider's id names (or in `onlyAccountId` alone), for a
 * system transaction: the id is all a provider's event carries.
 */
export const messagesByProviderId = (
  trx: Db,
  providerMessageId: string,
  options: { channel?: 'sms'; onlyAccountId?: string | undefined } = {},
) =>
  trx
    .selectFrom('messages')
    .select(['account_id', 'id'])
    .$if(options.channel !== undefined, (q) => q.where('channel', '=', options.channel ?? ''))
    .where('provider_message_id', '=', providerMessageId)
    .$if(options.onlyAccountId !== undefined, (q) => q.where('account_id', '=', options.onlyAccountId ?? ''))
    .execute();

/** One page of suppressed addresses, in address order (the cursor is normalised as the addresses are). */
export const listSuppressions = (trx: Db, query: SuppressionListQuery) =>
  fetchPage(
    keysetPage(
      trx.selectFrom('email_suppressions').selectAll(),
      { ...query, starting_after: query.starting_after && normalizeEmail(query.starting_after) },
      { column: 'email', direction: 'asc' },
    ),
    query,
    (row) => row.email,
  );

export const deleteSuppression = (trx: Db, email: string) =>
  trx.deleteFrom('email_suppressions').where('email', '=', email).returningAll().executeTakeFirst();

export const findPhoneSuppression = (trx: Db, accountId: string, phone: string) =>
  trx
    .selectFrom('phone_suppressions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('phone', '=', phone)
    .executeTakeFirstOrThrow();

/** Removes a number's suppression (only one of this `reason` if given); the row removed, if any. */
export function deletePhoneSuppression(trx: Db, accountId: string, phone: string, reason?: 'stop') {
  let q = trx.deleteFrom('phone_suppressions').where('account_id', '=', accountId).where('phone', '=', phone);
  if (reason !== undefined) q = q.where('reason', '=', reason);
  return q.returningAll().executeTakeFirst();
}

/** One page of suppressed numbers, in number order. */
export const listPhoneSuppressions = (trx: Db, accountId: string, query: PhoneSuppressionListQuery) =>
  fetchPage(
    keysetPage(trx.selectFrom('phone_suppressions').selectAll().where('account_id', '=', accountId), query, {
      column: 'phone',
      direction: 'asc',
    }),
    query,
    (row) => row.phone,
  );

/**
 * A text message's delivery report: delivered (from sent) or failed with the provider's error
 * (from sent or delivered); the message, if it was in a state the report moves.
 */
export const setTextDeliveryStatus = (
  trx: Db,
  accountId: string,
  id: string,
  change: { status: 'delivered' | 'failed'; error: string | null; now: Date },
) =>
  trx
    .updateTable('messages')
    .set({
      status: change.status,
      ...(change.status === 'delivered' ? { delivered_at: change.now } : { error: change.error }),
      updated_at: change.now,
    })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('status', 'in', change.status === 'delivered' ? ['sent'] : ['sent', 'delivered'])
    .returningAll()
    .executeTakeFirst();

/** The accounts, across accounts (a system transaction), that texted a number from a sender number. */
export const accountsThatTexted = (trx: Db, senderNumber: string, phone: string) =>
  trx
    .selectFrom('messages')
    .select('account_id')
    .distinct()
    .where('channel', '=', 'sms')
    .where('from_address', '=', senderNumber)
    // A text has one recipient (the `messages_sms_recipient` index).
    .where(sql<string>`to_addresses[1]`, '=', phone)
    .execute();
