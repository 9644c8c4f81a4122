import { createHash } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../store/database.ts';
import { metrics } from '../../metrics.ts';
import { addDays, addMonths, todayIn } from '../calendar.ts';
import { documentContent, type StatementRenderer, storeInvoiceCopy, storeStatement } from '../documents/index.ts';
import { lockInvoices } from '../invoices/index.ts';
import { recordEvent } from '../outbox/index.ts';
import {
  cancelMessage,
  findMessage,
  markMessageFailed,
  markMessageSent,
  markMessageUnknown,
  occurrencesOfOpenCalls,
  setMessageAttachment,
  setMessageCallKey,
  suppressPhone,
} from '../messages/index.ts';
import {
  type Delivery,
  type DeliveryResult,
  type Dispatch,
  mayAttempt,
  type ReminderChannel,
} from './channels/channel.ts';
import { currentAccountTime } from './account-settings.repository.ts';
import { reasonToStopDelivery } from './guard.rules.ts';
import { nowFor, type Outcome, reminderData, skipOccurrence } from './ledger.ts';
import {
  lockOccurrences,
  markAttemptFailed,
  markClaimed,
  markFailed,
  markSent,
  type OccurrenceRow,
  peekInFlight,
  regroup,
  RETRY_BASE_MS,
  retryDelayMs,
  sharingMessages,
} from './reminder-occurrence.repository.ts';
import { attachmentFilename, invoiceNumber } from './sending.repository.ts';

/** What was said of an attempt the provider may or may not have taken, on a channel that cannot ask again safely. */
export const OUTCOME_UNKNOWN =
  'delivery outcome unknown: the last attempt was never settled and the provider has no idempotency key, so it is not made again';

/**
 * Hands stored messages to their channel's provider, effectively once, with no database
 * transaction open during the call:
 *
 * 1. claim, in a transaction with the invoices' rows locked: a last check (a payment, a void or
 *    a dispute committed since phase one stops it), then the attempt is counted on the reminder,
 *    and the messages are grouped into provider calls (batches of up to `maxBatch`, one by one
 *    for those with attachments), each call's idempotency key stored on its messages;
 * 2. the provider is called, the messages' stored bytes under that key (the occurrence id for a
 *    single email; for a batch, a hash of its message ids);
 * 3. settle, in another transaction per call: each message with its own outcome: sent, or
 *    waiting on the provider (a "not now" answer: 429, 5xx, no answer; never a failure; tried
 *    again when the provider said, `retry_at`), or failed (a refusal); the attempt is counted on
 *    the message.
 *
 * A call whose outcome is unknown (no answer, a 5xx, a crash) keeps its key on its messages:
 * the next claim of any of them takes them all and makes the same call again, as it was, so the
 * provider replays it instead of sending anything twice.
 *
 * A crash between 2 and 3 leaves the reminder `sending` with one attempt claimed and not settled:
 * it is due again after its back-off and, through a provider with idempotency keys, asked again
 * under the same key (the provider answers with the first email, nothing is sent twice); through
 * one without, it is failed with `OUTCOME_UNKNOWN` for a person to look at.
 */
export function createSender(deps: {
  database: Database;
  clock: Clock;
  /** Fetches a file to attach (an invoice's `pdf_url`) under the SSRF guard; without it nothing is attached. */
  fetchFile?: FetchFile;
  /** Makes a customer's statement of account as a PDF (a step's `attach_statement`); without it none is attached. */
  renderStatement?: StatementRenderer;
  /** The back-off's base, which is also the lease of a claimed call (REMINDER_RETRY_SECONDS); 30 s by default. */
  retryBaseMs?: number;
}) {
  const { database, clock } = deps;
  const retryBaseMs = deps.retryBaseMs ?? RETRY_BASE_MS;

  /**
   * The file for the emails of a step that attaches one, outside any transaction, stored once
   * (a retry sends the stored bytes): the invoice's PDF, fetched; or the customer's statement,
   * made now. When it cannot be had, the reason is kept on the message and the email goes
   * without it (with the invoice's link, as always).
   */
  async function attach(
    accountId: string,
    account: { mode: string; time_zone: string },
    now: Date,
    dispatches: readonly Dispatch[],
  ): Promise<void> {
    for (const dispatch of dispatches) {
      const { message } = dispatch;
      if (!message.attachment_kind || message.attachment_error) continue;
      if (!message.attachment_document_id)
        if (message.attachment_kind === 'statement') await makeStatement(accountId, account.time_zone, now, dispatch);
        else await fetchInvoicePdf(accountId, account.mode, dispatch);
      const documentId = message.attachment_document_id;
      if (!documentId) continue;
      const stored = await database.withAccount(accountId, async (trx) => ({
        content: await documentContent(trx, documentId),
        filename: await attachmentFilename(trx, accountId, documentId),
      }));
      if (stored.content)
        dispatch.attachments = [
          { filename: stored.filename ?? 'document.pdf', contentType: 'application/pdf', content: stored.content },
        ];
    }
  }

  /** The invoice's PDF from its URL, under the SSRF guard; the copy stored, or why not on the message. */
  async function fetchInvoicePdf(accountId: string, mode: string, { message, occurrence }: Dispatch): Promise<void> {
    if (!message.attachment_url) return;
    const fetched = deps.fetchFile
      ? await deps.fetchFile(message.attachment_url, mode === 'test' ? 'test' : 'live')
      : ({ ok: false, error: 'no fetcher is configured' } as const);
    const problem = fetched.ok ? pdfProblem(fetched.content, fetched.contentType) : fetched.error;
    const now = clock.now();
    await database.withAccount(accountId, async (trx) => {
      if (problem !== null) {
        const error = `the invoice PDF could not be attached (${problem}); the email carries its link instead`;
        await setMessageAttachment(trx, accountId, message.id, { attachment_error: error }, now);
        message.attachment_error = error;
        return;
      }
      const invoice = await invoiceNumber(trx, accountId, occurrence.invoice_id);
      const document = await storeInvoiceCopy(trx, {
        accountId,
        invoiceId: occurrence.invoice_id,
        customerId: message.customer_id ?? '',
        occurrenceId: occurrence.id,
        locale: message.locale ?? 'en',
        filename: `${invoice.number.replace(/[^\w.-]+/g, '_')}.pdf`,
        content: fetched.ok ? fetched.content : new Uint8Array(),
        now,
      });
      await setMessageAttachment(trx, accountId, message.id, { attachment_document_id: document.id }, now);
      message.attachment_document_id = document.id;
    });
  }

  /**
   * The customer's statement of account over the twelve months to the day the email leaves
   * (from the same day a year before, the day after it), in the customer's language: made with
   * no transaction open, then stored, or why not kept on the message.
   */
  async function makeStatement(accountId: string, timeZone: string, now: Date, dispatch: Dispatch): Promise<void> {
    const { message, occurrence } = dispatch;
    const to = todayIn(now, timeZone);
    const period = { from: addDays(addMonths(to, -12), 1), to };
    let made: Awaited<ReturnType<StatementRenderer>> | null = null;
    let problem: string | null = null;
    if (!deps.renderStatement || !message.customer_id) problem = 'no statement renderer is configured';
    else
      try {
        made = await deps.renderStatement({ accountId, customerId: message.customer_id, ...period });
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
    await database.withAccount(accountId, async (trx) => {
      if (!made) {
        const error = `the statement could not be attached (${problem}); the email goes without it`;
        await setMessageAttachment(trx, accountId, message.id, { attachment_error: error }, now);
        message.attachment_error = error;
        return;
      }
      const document = await storeStatement(trx, {
        accountId,
        customerId: message.customer_id ?? '',
        invoiceId: occurrence.invoice_id,
        occurrenceId: occurrence.id,
        locale: made.locale,
        filename: made.filename,
        content: made.content,
        now,
      });
      await setMessageAttachment(trx, accountId, message.id, { attachment_document_id: document.id }, now);
      message.attachment_document_id = document.id;
    });
  }

  async function claim(accountId: string, delivery: Delivery, ids: readonly string[], outcomes: Map<string, Outcome>) {
    return database.withAccount(accountId, async (trx) => {
      const calls: ProviderCall[] = [];
      // The other messages of a call whose outcome is unknown come along: it is made again whole.
      const siblings = await occurrencesOfOpenCalls(trx, accountId, ids);
      // The other reminders of a grouped message come along too: one message, one call.
      const sharing = await sharingMessages(trx, accountId, [...new Set([...ids, ...siblings])]);
      const peeks = await peekInFlight(trx, accountId, [...new Set([...ids, ...siblings, ...sharing])]);
      if (peeks.length === 0) return { calls, now: clock.now(), account: { mode: 'live', time_zone: 'UTC' } };
      const invoiceIds = [...new Set(peeks.map((p) => p.invoice_id))].sort();
      const invoices = await lockInvoices(trx, invoiceIds);
      const invoiceById = new Map(invoices.map((i) => [i.id, i]));
      const occurrences = await lockOccurrences(
        trx,
        accountId,
        peeks.map((p) => p.id),
      );
      const account = await currentAccountTime(trx);
      const now = await nowFor(trx, account, clock);
      const reopened = new Map<string, Dispatch[]>();
      const fresh: Dispatch[] = [];
      const candidates: Array<{
        occurrence: OccurrenceRow;
        message: NonNullable<Awaited<ReturnType<typeof findMessage>>>;
        invoice: (typeof invoices)[number];
      }> = [];
      /** Per grouped message, the reminders it carries besides its lead's (the candidate's). */
      const carriedWith = new Map<string, OccurrenceRow[]>();
      const byMessage = new Map<string, OccurrenceRow[]>();
      for (const occurrence of occurrences) {
        if (occurrence.status !== 'sending' || !occurrence.message_id || !invoiceById.has(occurrence.invoice_id))
          continue;
        byMessage.set(occurrence.message_id, [...(byMessage.get(occurrence.message_id) ?? []), occurrence]);
      }
      for (const [messageId, carried] of byMessage) {
        const message = await findMessage(trx, messageId);
        if (!message) throw new Error(`reminder ${carried[0]?.id} is sending a message that does not exist`);
        const lead = carried.find((o) => o.id === message.occurrence_id) ?? carried[0];
        const invoice = lead && invoiceById.get(lead.invoice_id);
        if (!lead || !invoice) continue;
        const others = carried.filter((o) => o !== lead);
        if (others.length > 0) {
          // A grouped message not yet handed over lists what was owed when it was composed: an
          // invoice paid, voided or disputed since leaves it unsent, and the rest are composed anew.
          const stopped = message.batch_key
            ? []
            : carried.filter((o) => reasonToStopDelivery(invoiceById.get(o.invoice_id) ?? invoice));
          if (stopped.length > 0) {
            await cancelMessage(trx, message.id, now);
            for (const o of stopped)
              outcomes.set(
                o.id,
                await skipOccurrence(
                  trx,
                  accountId,
                  o,
                  reasonToStopDelivery(invoiceById.get(o.invoice_id) ?? invoice) ?? 'paid',
                  now,
                ),
              );
            await regroup(
              trx,
              accountId,
              carried.filter((o) => !stopped.includes(o)).map((o) => o.id),
              now,
            );
            continue;
          }
          carriedWith.set(message.id, others);
        }
        candidates.push({ occurrence: lead, message, invoice });
      }
      // Waiting on the provider (it said when), or claimed by a call under way: not yet. A call
      // whose outcome is unknown goes again whole as soon as one of its reminders is due.
      const storedKey = new Map(candidates.map((c) => [c.message.id, c.message.batch_key]));
      const due = (o: OccurrenceRow) => !o.retry_at || o.retry_at <= now;
      const dueCalls = new Set(
        candidates.filter((c) => c.message.batch_key && due(c.occurrence)).map((c) => c.message.batch_key),
      );
      for (const { occurrence, message, invoice } of candidates) {
        if (message.batch_key ? !dueCalls.has(message.batch_key) : !due(occurrence)) continue;
        // A call whose outcome is unknown is made again as it was: its emails may be out already.
        const stop = message.batch_key ? null : reasonToStopDelivery(invoice);
        if (stop) {
          await cancelMessage(trx, message.id, now);
          outcomes.set(occurrence.id, await skipOccurrence(trx, accountId, occurrence, stop, now));
          continue;
        }
        if (!mayAttempt(delivery, occurrence.attempts, message.attempts)) {
          await markMessageUnknown(trx, message.id, OUTCOME_UNKNOWN, now);
          await markFailed(trx, occurrence.id, OUTCOME_UNKNOWN, now);
          await recordEvent(trx, {
            accountId,
            type: 'reminder.failed',
            objectType: 'reminder',
            objectId: occurrence.id,
            data: reminderData(occurrence, { message_id: message.id, error: OUTCOME_UNKNOWN }),
            at: now,
          });
          outcomes.set(occurrence.id, 'failed');
          metrics.reminder(occurrence.channel, 'failed');
          continue;
        }
        const attempts = occurrence.attempts + 1;
        // Should this process die before the settle, the reminder is due again after the lease.
        const lease = new Date(now.getTime() + retryDelayMs(attempts, retryBaseMs));
        const carried = carriedWith.get(message.id) ?? [];
        for (const o of [occurrence, ...carried]) await markClaimed(trx, o.id, o.attempts + 1, lease, now);
        const dispatch: Dispatch = {
          occurrence: { ...occurrence, attempts },
          message,
          // A grouped message's key is its group's: the customer, the day and the channel.
          idempotencyKey: message.group_key ?? singleKeyOf(occurrence),
          ...(carried.length > 0 && { carried: carried.map((o) => ({ ...o, attempts: o.attempts + 1 })) }),
        };
        if (message.batch_key) reopened.set(message.batch_key, [...(reopened.get(message.batch_key) ?? []), dispatch]);
        else fresh.push(dispatch);
      }
      for (const [key, dispatches] of reopened)
        calls.push(
          key.startsWith(BATCH_PREFIX) && delivery.sendBatch
            ? { key, batch: true, dispatches }
            : { key, batch: false, dispatches },
        );
      // An email with an attachment goes on its own (Resend's batch endpoint takes none).
      const batchable =
        delivery.sendBatch && delivery.maxBatch > 1 ? fresh.filter((d) => !d.message.attachment_kind) : [];
      for (const d of fresh.filter((d) => !batchable.includes(d)))
        calls.push({ key: d.idempotencyKey, batch: false, dispatches: [d] });
      for (let i = 0; i < batchable.length; i += delivery.maxBatch) {
        const dispatches = batchable.slice(i, i + delivery.maxBatch);
        const [only] = dispatches;
        if (only && dispatches.length === 1) calls.push({ key: only.idempotencyKey, batch: false, dispatches });
        else calls.push({ key: batchKeyOf(dispatches), batch: true, dispatches });
      }
      // A batch's key names its messages, not their order: its emails always go in message-id
      // order, so a batch made again whole (another claim, another order) is the same payload, as
      // Resend requires of a repeated key (a different body under it is a 409).
      for (const call of calls)
        if (call.batch)
          call.dispatches.sort((a, b) => (a.message.id < b.message.id ? -1 : a.message.id > b.message.id ? 1 : 0));
      // Each call's key is on its messages before the call is made (a crash cannot lose it).
      for (const call of calls) {
        const unmarked = call.dispatches
          .filter((d) => storedKey.get(d.message.id) !== call.key)
          .map((d) => d.message.id);
        await setMessageCallKey(trx, accountId, unmarked, call.key, now);
      }
      return { calls, now, account };
    });
  }

  async function settle(
    accountId: string,
    delivery: Pick<Delivery, 'idempotent'>,
    claimed: readonly Dispatch[],
    results: readonly DeliveryResult[],
    now: Date,
    outcomes: Map<string, Outcome>,
  ) {
    await database.withAccount(accountId, async (trx) => {
      const current = new Map(
        (
          await lockOccurrences(
            trx,
            accountId,
            claimed.flatMap((d) => carriedBy(d).map((o) => o.id)),
          )
        ).map((o) => [o.id, o]),
      );
      const forget: string[] = [];
      for (const [i, dispatch] of claimed.entries()) {
        // Settled meanwhile by another attempt under the same key (a job that failed over).
        const carried = carriedBy(dispatch)
          .map((o) => current.get(o.id))
          .filter((o): o is OccurrenceRow => o?.status === 'sending');
        if (carried.length === 0) continue;
        const result = results[i] ?? {
          ok: false,
          failure: 'the provider gave no result for this message',
          retryable: true,
          outcomeUnknown: true,
        };
        const { message } = dispatch;
        if (!result.ok && result.optedOut && message.to_addresses[0])
          await suppressPhone(trx, {
            accountId,
            phone: message.to_addresses[0],
            reason: 'opted_out',
            messageId: message.id,
            at: now,
          });
        // The message's outcome, once; then each reminder it carries (several for a grouped message).
        let outcome: Outcome;
        let error: string | null = null;
        let retryAt: Date | null = null;
        if (!result.ok && result.retryable && result.outcomeUnknown && !delivery.idempotent) {
          // No answer from a provider without idempotency key: it may have sent it, and asking
          // again could send it twice. The message stays `unknown` for a person to look at.
          error = `${OUTCOME_UNKNOWN} (${result.failure})`;
          await markMessageUnknown(trx, message.id, error, now);
          outcome = 'failed';
        } else if (result.ok) {
          await markMessageSent(trx, message.id, result.providerMessageId, now);
          outcome = 'sent';
        } else if (result.retryable) {
          // "Not now" is never a failure: the reminder waits for the moment the provider named.
          error = result.failure;
          await markMessageFailed(trx, message.id, result.failure, now);
          retryAt = new Date(
            now.getTime() + (result.retryAfterMs ?? retryDelayMs(dispatch.occurrence.attempts, retryBaseMs)),
          );
          if (!result.outcomeUnknown) forget.push(message.id);
          outcome = 'retry';
        } else {
          error = result.failure;
          await markMessageFailed(trx, message.id, result.failure, now);
          forget.push(message.id);
          outcome = 'failed';
        }
        for (const occurrence of carried) {
          const event = (type: string, extra: Record<string, unknown> = {}) =>
            recordEvent(trx, {
              accountId,
              type,
              objectType: 'reminder',
              objectId: occurrence.id,
              data: reminderData(occurrence, { message_id: occurrence.message_id, ...extra }),
              at: now,
            });
          if (outcome === 'sent') {
            await markSent(trx, occurrence.id, now, { attempts: occurrence.attempts });
            await event('reminder.sent');
          } else {
            await markAttemptFailed(trx, occurrence.id, occurrence.attempts, error ?? '', retryAt, now);
            if (outcome === 'failed') await event('reminder.failed', { error });
          }
          outcomes.set(occurrence.id, outcome);
          metrics.reminder(occurrence.channel, outcome);
        }
      }
      // Refused or turned away: not taken, so they may go in any later call.
      await setMessageCallKey(trx, accountId, forget, null, now);
    });
  }

  return {
    /** Claims, delivers and settles reminders of one account left `sending` by phase one, in the channel's batches. */
    async deliver(
      accountId: string,
      channel: ReminderChannel,
      ids: readonly string[],
      /** The channel's delivery for this account (see `Delivery.forAccount`); the channel's own by default. */
      delivery = channel.delivery,
    ): Promise<Map<string, Outcome>> {
      if (!delivery) throw new Error(`channel '${channel.name}' has no delivery`);
      const outcomes = new Map<string, Outcome>(ids.map((id) => [id, 'noop']));
      for (let i = 0; i < ids.length; i += delivery.maxBatch) {
        const { calls, now, account } = await claim(accountId, delivery, ids.slice(i, i + delivery.maxBatch), outcomes);
        for (const call of calls) {
          await attach(accountId, account, now, call.dispatches);
          // No transaction is open here: the claim committed, the settle has not begun.
          const results =
            call.batch && delivery.sendBatch
              ? await delivery.sendBatch(call.dispatches, call.key)
              : await delivery.send(call.dispatches);
          await settle(accountId, delivery, call.dispatches, results, now, outcomes);
        }
      }
      return outcomes;
    },
  };
}

/** Fetches a file to attach, under the guard of the account's mode (webhooks' `fetchGuarded`, handed in by services.ts). */
export type FetchFile = (
  url: string,
  mode: 'live' | 'test',
) => Promise<{ ok: true; content: Buffer; contentType: string } | { ok: false; error: string }>;

/** Why fetched bytes are not the invoice's PDF, or null: they must be one (an error page is not). */
function pdfProblem(content: Buffer, contentType: string): string | null {
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return null;
  return `not a PDF (${contentType.split(';')[0] ?? 'unknown type'}, ${content.length} bytes)`;
}

/** The reminders a dispatch carries: its own, and the others of a grouped message. */
const carriedBy = (d: Dispatch): OccurrenceRow[] => [d.occurrence, ...(d.carried ?? [])];

/** One provider call: a batch under its key, or one email under its own. */
interface ProviderCall {
  key: string;
  batch: boolean;
  dispatches: Dispatch[];
}

const BATCH_PREFIX = 'batch_';

/** A batch's key: the same messages, the same key (a retried batch is replayed, not resent). */
function batchKeyOf(dispatches: readonly Dispatch[]): string {
  const ids = dispatches.map((d) => d.message.id).sort();
  return `${BATCH_PREFIX}${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 48)}`;
}

/** One email's key: the occurrence id; after a re-queue through the API, a new one per re-queue. */
function singleKeyOf(occurrence: Pick<OccurrenceRow, 'id' | 'requeues'>): string {
  return occurrence.requeues > 0 ? `${occurrence.id}_r${occurrence.requeues}` : occurrence.id;
}
