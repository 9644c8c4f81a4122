import type { Insertable, Selectable } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Database, Db } from '../../store/database.ts';
import type { Accounts, Customers, Invoices, Messages } from '../../store/db-types.ts';
import { newId } from '../../ids.ts';
import { type EmailTransport, TransportError } from '../../mail/transport.ts';
import { metrics } from '../../metrics.ts';
import { todayIn, zonedDateTimeToInstant } from '../calendar.ts';
import { insertEvents, recordEvent } from '../outbox/index.ts';
import { presentTask } from '../tasks/index.ts';
import { insertPendingMessage, markMessageFailed, markMessageSent, outgoingEmailOf } from '../messages/index.ts';
import { accrueLateFees } from '../late-fees/index.ts';
import { guardBeforeSend, reasonToStopDelivery } from './guard.rules.ts';
import { minBalanceOf, planOf, policiesForInvoices, type PolicyRow } from './policy.service.ts';
import { DEFAULT_POLICY } from './policy.rules.ts';
import {
  dueStepsOfInvoices,
  invoiceIdOfOccurrence,
  lockOccurrence,
  lockOccurrences,
  markAttemptFailed,
  markDeferred,
  markFailed,
  markHeld,
  markSending,
  markSent,
  markSentWithMessages,
  markSkipped,
  type OccurrenceRow,
  peekInFlight,
} from './reminder-occurrence.repository.ts';
import { replanInvoices } from './schedule.ts';

/** Attempts at handing an email to the provider before the reminder counts as failed. */
export const MAX_SEND_ATTEMPTS = 5;

export type { OccurrenceRow };

/** What the engine needs to compose an email: the rendered message in the recipient's language. */
export interface ComposedEmail {
  subject: string;
  html: string;
  text: string;
  locale: string;
}

export interface MessageComposer {
  compose(
    trx: Db,
    input: { account: Selectable<Accounts>; customer: Selectable<Customers>; invoice: Selectable<Invoices>; occurrence: OccurrenceRow; today: string },
  ): Promise<ComposedEmail>;
}

export type Outcome = 'sent' | 'skipped' | 'held' | 'deferred' | 'failed' | 'retry' | 'noop';

/** The instant "now" is for an account: its test clock when it is a test account, else the system's. */
export async function nowFor(trx: Db, account: { id: string; mode: string }, clock: Clock): Promise<Date> {
  if (account.mode !== 'test') return clock.now();
  const row = await trx.selectFrom('account_clocks').select('now').where('account_id', '=', account.id).executeTakeFirst();
  return row?.now ?? clock.now();
}

/** The provider keeps these with the email and echoes them in its events. */
const tagsOf = (occurrence: OccurrenceRow) => ({ occurrence: occurrence.id.replace(/[^\w-]/g, '_') });

type MessageValues = Insertable<Messages> & { id: string; to_addresses: string[]; cc_addresses: string[]; reply_to: string | null };

/** Marks a reminder skipped, with why, and says so in an event. */
async function skipOccurrence(trx: Db, accountId: string, occurrence: OccurrenceRow, reason: string, now: Date): Promise<'skipped'> {
  await markSkipped(trx, occurrence.id, reason, now);
  await recordEvent(trx, { accountId, type: 'reminder.skipped', objectType: 'reminder', objectId: occurrence.id, data: reminderData(occurrence, { message_id: occurrence.message_id, reason }), at: now });
  return 'skipped';
}

const reminderData = (o: OccurrenceRow, extra: Record<string, unknown> = {}) => ({
  id: o.id,
  invoice_id: o.invoice_id,
  step_id: o.step_id,
  repeat_index: o.repeat_index,
  offset_days: o.offset_days,
  channel: o.channel,
  template_key: o.template_key,
  ...extra,
});

/**
 * Sends due reminders effectively once. Phase 1, with the invoice row locked: the guard, then
 * either a task, an event, or the rendered message stored as `pending`. Phase 2, with the invoice
 * row locked again: a last check, then the stored bytes go to the provider under the occurrence
 * id as idempotency key. A payment takes the same row lock, so no reminder leaves after a payment
 * commits; a crash between the phases resends the same bytes under the same key.
 */
export function createReminderEngine(deps: { database: Database; clock: Clock; transport: EmailTransport; composer: MessageComposer }) {
  const { database, clock, transport, composer } = deps;

  /**
   * Phase one for a batch of one account's reminders, in one transaction: their invoices are
   * locked (in id order), what every guard needs is read once, then each reminder is decided in
   * the order it falls due, exactly as if they were taken one by one.
   */
  async function phaseOne(accountId: string, occurrenceIds: string[]): Promise<Map<string, Outcome | 'deliver'>> {
    const results = new Map<string, Outcome | 'deliver'>(occurrenceIds.map((id) => [id, 'noop']));
    return database.withAccount(accountId, async (trx) => {
      const peeks = await peekInFlight(trx, occurrenceIds);
      if (peeks.length === 0) return results;
      const invoiceIds = [...new Set(peeks.map((p) => p.invoice_id))].sort();
      const lockInvoices = () => trx.selectFrom('invoices').selectAll().where('id', 'in', invoiceIds).orderBy('id').forUpdate().execute();
      let invoices = await lockInvoices();
      const account = await trx.selectFrom('accounts').selectAll().executeTakeFirstOrThrow();
      const now = await nowFor(trx, account, clock);
      const today = todayIn(now, account.time_zone);
      const toReplan = invoices.filter((i) => i.needs_replan).map((i) => i.id);
      if (toReplan.length > 0) {
        await replanInvoices(trx, { accountId, invoiceIds: toReplan, timeZone: account.time_zone, now });
        invoices = await lockInvoices();
      }
      const invoiceById = new Map(invoices.map((i) => [i.id, i]));
      const occurrences = await lockOccurrences(trx, peeks.map((p) => p.id));
      const customerIds = [...new Set(invoices.map((i) => i.customer_id))];
      const customerById = new Map((await trx.selectFrom('customers').selectAll().where('id', 'in', customerIds).execute()).map((c) => [c.id, c]));
      const policyByInvoice = await policiesForInvoices(trx, invoiceIds);
      const dueNow = await dueStepsOfInvoices(trx, invoiceIds, now);
      const recipients = [...customerById.values()].flatMap((c) => [c.email, ...c.cc_emails]).filter((e): e is string => Boolean(e)).map((e) => e.toLowerCase());
      const suppressed = new Set(
        recipients.length === 0 ? [] : (await trx.selectFrom('email_suppressions').select('email').where('email', 'in', recipients).execute()).map((r) => r.email),
      );
      const sentLocally: Array<{ message: MessageValues; occurrence: OccurrenceRow }> = [];
      for (const occurrence of occurrences) {
        const invoice = invoiceById.get(occurrence.invoice_id);
        const customer = invoice && customerById.get(invoice.customer_id);
        if (!invoice || !customer) continue;
        // On a payment plan, a later installment's reminder supersedes an earlier one's too.
        const laterStepDue = dueNow.some(
          (d) =>
            d.invoice_id === invoice.id &&
            (d.installment_number > occurrence.installment_number ||
              (d.installment_number === occurrence.installment_number &&
                (d.offset_days > occurrence.offset_days || (d.offset_days === occurrence.offset_days && d.repeat_index > occurrence.repeat_index)))),
        );
        const decided = await decide(trx, { accountId, account, invoice, customer, occurrence, policy: policyByInvoice.get(invoice.id), now, today, laterStepDue, suppressed, sentLocally });
        results.set(occurrence.id, decided);
        metrics.reminder(occurrence.channel, decided);
      }
      if (sentLocally.length > 0) {
        await trx.insertInto('messages').values(sentLocally.map((s) => s.message)).execute();
        await markSentWithMessages(trx, sentLocally.map((s) => ({ id: s.occurrence.id, messageId: String(s.message.id) })), now);
        await insertEvents(
          trx,
          sentLocally.map((s) => ({ account_id: accountId, id: newId('event'), type: 'reminder.sent', object_type: 'reminder', object_id: s.occurrence.id, data: JSON.stringify(reminderData(s.occurrence, { message_id: s.message.id })), created_at: now })),
        );
      }
      return results;
    });
  }

  /** One reminder of a phase-one batch: the guard, then a task, an event, or a stored message. */
  async function decide(
    trx: Db,
    ctx: {
      accountId: string;
      account: Selectable<Accounts>;
      invoice: Selectable<Invoices>;
      customer: Selectable<Customers>;
      occurrence: OccurrenceRow;
      policy: PolicyRow | undefined;
      now: Date;
      today: string;
      laterStepDue: boolean;
      suppressed: Set<string>;
      /** Emails a local transport delivered in this batch, written together at its end. */
      sentLocally: Array<{ message: MessageValues; occurrence: OccurrenceRow }>;
    },
  ): Promise<Outcome | 'deliver'> {
    const { accountId, account, invoice, customer, occurrence, policy, now, today, suppressed } = ctx;
    if (occurrence.status === 'sending') return 'deliver';
    if (occurrence.status !== 'scheduled' || !occurrence.scheduled_at || occurrence.scheduled_at > now) return 'noop';
    const verdict = guardBeforeSend({
      // An installment's reminder is "before due" relative to the installment's date.
      invoice: occurrence.installment_due_on ? { ...invoice, due_date: occurrence.installment_due_on } : invoice,
      customer,
      occurrence,
      minBalance: policy ? minBalanceOf(policy, invoice.currency) : 0,
      today,
      laterStepDue: ctx.laterStepDue,
    });

    const event = (type: string, extra: Record<string, unknown> = {}) =>
      recordEvent(trx, { accountId, type, objectType: 'reminder', objectId: occurrence.id, data: reminderData(occurrence, extra), at: now });
    const skip = (reason: string) => skipOccurrence(trx, accountId, occurrence, reason, now);

    if (verdict.action === 'skip') return skip(verdict.reason);
    if (verdict.action === 'hold') {
      await markHeld(trx, occurrence.id, verdict.reason, now);
      return 'held';
    }
    if (verdict.action === 'defer') {
      const plan = policy ? planOf(policy) : DEFAULT_POLICY;
      const at = zonedDateTimeToInstant(verdict.until, plan.send_hour, plan.send_minute, account.time_zone);
      await markDeferred(trx, occurrence.id, at, verdict.reason, now);
      return 'deferred';
    }
    if (verdict.promiseBroken) {
      await trx.updateTable('invoices').set({ promise_to_pay_on: null, updated_at: now }).where('id', '=', invoice.id).execute();
      await recordEvent(trx, { accountId, type: 'promise.broken', objectType: 'invoice', objectId: invoice.id, data: { invoice_id: invoice.id, promise_to_pay_on: invoice.promise_to_pay_on }, at: now });
      invoice.promise_to_pay_on = null;
    }

    if (occurrence.channel === 'webhook') {
      await markSent(trx, occurrence.id, now);
      await event('reminder.sent');
      return 'sent';
    }
    if (occurrence.channel !== 'email') {
      const taskId = newId('task');
      const task = await trx
        .insertInto('tasks')
        .values({ account_id: accountId, id: taskId, kind: occurrence.channel, status: 'open', invoice_id: invoice.id, customer_id: customer.id, occurrence_id: occurrence.id, due_on: today, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      await markSent(trx, occurrence.id, now, { taskId });
      await recordEvent(trx, { accountId, type: 'task.created', objectType: 'task', objectId: taskId, data: presentTask(task), at: now });
      await event('reminder.sent', { task_id: taskId });
      return 'sent';
    }

    if (!customer.email) return skip('no_recipient');
    if (suppressed.has(customer.email.toLowerCase())) return skip('suppressed');
    // A step that applies late fees brings them up to date first, so the email states the amount now due.
    if (occurrence.applies_late_fees && (await accrueLateFees(trx, { accountId, invoiceId: invoice.id, today, now, atFeeStep: true })).length > 0) {
      Object.assign(invoice, await trx.selectFrom('invoices').selectAll().where('id', '=', invoice.id).executeTakeFirstOrThrow());
    }
    let composed: ComposedEmail;
    try {
      composed = await composer.compose(trx, { account, customer, invoice, occurrence, today });
    } catch (error) {
      const failure = error instanceof Error ? error.message : String(error);
      await markFailed(trx, occurrence.id, failure, now);
      await event('reminder.failed', { error: failure });
      return 'failed';
    }
    const message = {
      account_id: accountId,
      id: newId('message'),
      occurrence_id: occurrence.id,
      invoice_id: invoice.id,
      customer_id: customer.id,
      channel: 'email',
      transport: transport.name,
      status: 'pending',
      from_address: `${account.sender_name ?? account.name} <${account.sender_email ?? 'reminders@relance.invalid'}>`,
      reply_to: account.reply_to,
      to_addresses: [customer.email],
      cc_addresses: customer.cc_emails.filter((e) => !suppressed.has(e.toLowerCase())),
      subject: composed.subject,
      html: composed.html,
      text: composed.text,
      template_key: occurrence.template_key,
      locale: composed.locale,
      created_at: now,
      updated_at: now,
    };
    const sending = { ...occurrence, status: 'sending', message_id: message.id };
    // A local transport has nothing to wait for: deliver now, and store the sent message with the
    // batch's other writes, in this transaction, under the same locks.
    if (transport.local) {
      const { providerMessageId } = await transport.send(outgoingEmailOf(message, tagsOf(occurrence)), occurrence.id);
      ctx.sentLocally.push({ message: { ...message, status: 'sent', provider_message_id: providerMessageId, attempts: 1, sent_at: now }, occurrence: sending });
      return 'sent';
    }
    await insertPendingMessage(trx, message);
    await markSending(trx, occurrence.id, message.id, now);
    return 'deliver';
  }

  /** Hands the stored message to the provider under the occurrence id, and records the outcome. */
  async function deliver(trx: Db, accountId: string, occurrence: OccurrenceRow, now: Date): Promise<Outcome> {
    const event = (type: string, extra: Record<string, unknown> = {}) =>
      recordEvent(trx, { accountId, type, objectType: 'reminder', objectId: occurrence.id, data: reminderData(occurrence, { message_id: occurrence.message_id, ...extra }), at: now });
    const message = await trx.selectFrom('messages').selectAll().where('id', '=', String(occurrence.message_id)).executeTakeFirstOrThrow();
    const attempts = occurrence.attempts + 1;
    try {
      const { providerMessageId } = await transport.send(outgoingEmailOf(message, tagsOf(occurrence)), occurrence.id);
      await markMessageSent(trx, message.id, providerMessageId, now);
      await markSent(trx, occurrence.id, now, { attempts });
      await event('reminder.sent');
      return 'sent';
    } catch (error) {
      const failure = error instanceof Error ? error.message : String(error);
      const retry = error instanceof TransportError && error.retryable && attempts < MAX_SEND_ATTEMPTS;
      // A failed attempt is recorded as such; a later attempt may still send it.
      await markMessageFailed(trx, message.id, failure, now);
      await markAttemptFailed(trx, occurrence.id, attempts, failure, retry, now);
      if (!retry) await event('reminder.failed', { error: failure });
      return retry ? 'retry' : 'failed';
    }
  }

  async function phaseTwo(accountId: string, occurrenceId: string): Promise<Outcome> {
    return database.withAccount(accountId, async (trx) => {
      const invoiceId = await invoiceIdOfOccurrence(trx, occurrenceId);
      if (invoiceId === undefined) return 'noop';
      const invoice = await trx.selectFrom('invoices').selectAll().where('id', '=', invoiceId).forUpdate().executeTakeFirstOrThrow();
      const occurrence = await lockOccurrence(trx, occurrenceId);
      if (!occurrence || occurrence.status !== 'sending' || !occurrence.message_id) return 'noop';
      const account = await trx.selectFrom('accounts').select(['id', 'mode']).executeTakeFirstOrThrow();
      const now = await nowFor(trx, account, clock);
      const stop = reasonToStopDelivery(invoice);
      if (stop) {
        await trx.updateTable('messages').set({ status: 'canceled', updated_at: now }).where('id', '=', occurrence.message_id).execute();
        return skipOccurrence(trx, accountId, occurrence, stop, now);
      }
      const outcome = await deliver(trx, accountId, occurrence, now);
      metrics.reminder(occurrence.channel, outcome);
      return outcome;
    });
  }

  /** Runs reminders of one account through the guard and delivers those that pass. Safe to call twice. */
  async function processMany(accountId: string, occurrenceIds: string[]): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    for (const [id, first] of await phaseOne(accountId, occurrenceIds)) {
      outcomes.set(id, first === 'deliver' ? await phaseTwo(accountId, id) : first);
    }
    return outcomes;
  }

  return {
    processMany,
    /** One reminder (see `processMany`). */
    async process(accountId: string, occurrenceId: string): Promise<Outcome> {
      return (await processMany(accountId, [occurrenceId])).get(occurrenceId) ?? 'noop';
    },
  };
}

export type ReminderEngine = ReturnType<typeof createReminderEngine>;
