import { type Selectable, sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Database, Db } from '../../store/database.ts';
import type { Accounts, Customers, Invoices, ReminderOccurrences } from '../../store/db-types.ts';
import { newId } from '../../ids.ts';
import { type EmailTransport, TransportError } from '../../mail/transport.ts';
import { todayIn, zonedDateTimeToInstant } from '../calendar.ts';
import { recordEvent } from '../events/event.repository.ts';
import { guardBeforeSend } from './guard.rules.ts';
import { minBalanceOf, planOf, policyForInvoice } from './policy.service.ts';
import { replanInvoice } from './schedule.ts';

/** Attempts at handing an email to the provider before the reminder counts as failed. */
export const MAX_SEND_ATTEMPTS = 5;

export type OccurrenceRow = Selectable<ReminderOccurrences>;

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

  async function phaseOne(accountId: string, occurrenceId: string): Promise<Outcome | 'deliver'> {
    return database.withAccount(accountId, async (trx) => {
      const peek = await trx.selectFrom('reminder_occurrences').select(['invoice_id', 'status']).where('id', '=', occurrenceId).executeTakeFirst();
      if (!peek || (peek.status !== 'scheduled' && peek.status !== 'sending')) return 'noop';
      let invoice = await trx.selectFrom('invoices').selectAll().where('id', '=', peek.invoice_id).forUpdate().executeTakeFirstOrThrow();
      const account = await trx.selectFrom('accounts').selectAll().executeTakeFirstOrThrow();
      const now = await nowFor(trx, account, clock);
      if (invoice.needs_replan) {
        await replanInvoice(trx, { accountId, invoiceId: invoice.id, timeZone: account.time_zone, now });
        invoice = await trx.selectFrom('invoices').selectAll().where('id', '=', invoice.id).executeTakeFirstOrThrow();
      }
      const occurrence = await trx.selectFrom('reminder_occurrences').selectAll().where('id', '=', occurrenceId).forUpdate().executeTakeFirstOrThrow();
      if (occurrence.status === 'sending') return 'deliver';
      if (occurrence.status !== 'scheduled' || !occurrence.scheduled_at || occurrence.scheduled_at > now) return 'noop';

      const today = todayIn(now, account.time_zone);
      const customer = await trx.selectFrom('customers').selectAll().where('id', '=', invoice.customer_id).executeTakeFirstOrThrow();
      const policy = await policyForInvoice(trx, invoice.id);
      const later = await trx
        .selectFrom('reminder_occurrences')
        .select('id')
        .where('invoice_id', '=', invoice.id)
        .where('status', '=', 'scheduled')
        .where('scheduled_at', '<=', now)
        .where(sql<boolean>`(offset_days, repeat_index) > (${occurrence.offset_days}, ${occurrence.repeat_index})`)
        .limit(1)
        .executeTakeFirst();
      const verdict = guardBeforeSend({
        invoice,
        customer,
        occurrence,
        minBalance: policy ? minBalanceOf(policy, invoice.currency) : 0,
        today,
        laterStepDue: later !== undefined,
      });

      const event = (type: string, extra: Record<string, unknown> = {}) =>
        recordEvent(trx, { accountId, type, objectType: 'reminder', objectId: occurrence.id, data: reminderData(occurrence, extra), at: now });
      const skip = async (reason: string) => {
        await trx.updateTable('reminder_occurrences').set({ status: 'skipped', skip_reason: reason, updated_at: now }).where('id', '=', occurrence.id).execute();
        await event('reminder.skipped', { reason });
        return 'skipped' as const;
      };

      if (verdict.action === 'skip') return skip(verdict.reason);
      if (verdict.action === 'hold') {
        await trx.updateTable('reminder_occurrences').set({ status: 'held', hold_reason: verdict.reason, updated_at: now }).where('id', '=', occurrence.id).execute();
        return 'held';
      }
      if (verdict.action === 'defer') {
        const plan = policy ? planOf(policy) : { send_hour: 9, send_minute: 0 };
        const at = zonedDateTimeToInstant(verdict.until, plan.send_hour, plan.send_minute, account.time_zone);
        await trx.updateTable('reminder_occurrences').set({ scheduled_at: at, hold_reason: verdict.reason, updated_at: now }).where('id', '=', occurrence.id).execute();
        return 'deferred';
      }
      if (verdict.promiseBroken) {
        await trx.updateTable('invoices').set({ promise_to_pay_on: null, updated_at: now }).where('id', '=', invoice.id).execute();
        await recordEvent(trx, { accountId, type: 'promise.broken', objectType: 'invoice', objectId: invoice.id, data: { invoice_id: invoice.id, promised_on: invoice.promise_to_pay_on }, at: now });
      }

      if (occurrence.channel === 'webhook') {
        await trx.updateTable('reminder_occurrences').set({ status: 'sent', sent_at: now, updated_at: now }).where('id', '=', occurrence.id).execute();
        await event('reminder.sent');
        return 'sent';
      }
      if (occurrence.channel !== 'email') {
        const taskId = newId('task');
        await trx
          .insertInto('tasks')
          .values({ account_id: accountId, id: taskId, kind: occurrence.channel, status: 'open', invoice_id: invoice.id, customer_id: customer.id, occurrence_id: occurrence.id, due_on: today, created_at: now, updated_at: now })
          .execute();
        await trx.updateTable('reminder_occurrences').set({ status: 'sent', task_id: taskId, sent_at: now, updated_at: now }).where('id', '=', occurrence.id).execute();
        await recordEvent(trx, { accountId, type: 'task.created', objectType: 'task', objectId: taskId, data: { id: taskId, kind: occurrence.channel, invoice_id: invoice.id, customer_id: customer.id, due_on: today, status: 'open' }, at: now });
        await event('reminder.sent', { task_id: taskId });
        return 'sent';
      }

      const recipients = [customer.email, ...customer.cc_emails].filter((e): e is string => Boolean(e));
      if (!customer.email) return skip('no_recipient');
      const suppressed = new Set(
        (await trx.selectFrom('email_suppressions').select('email').where('email', 'in', recipients.map((e) => e.toLowerCase())).execute()).map((r) => r.email),
      );
      if (suppressed.has(customer.email.toLowerCase())) return skip('suppressed');
      let composed: ComposedEmail;
      try {
        composed = await composer.compose(trx, { account, customer, invoice, occurrence, today });
      } catch (error) {
        const failure = error instanceof Error ? error.message : String(error);
        await trx.updateTable('reminder_occurrences').set({ status: 'failed', failure, updated_at: now }).where('id', '=', occurrence.id).execute();
        await event('reminder.failed', { error: failure });
        return 'failed';
      }
      const messageId = newId('message');
      await trx
        .insertInto('messages')
        .values({
          account_id: accountId,
          id: messageId,
          occurrence_id: occurrence.id,
          invoice_id: invoice.id,
          customer_id: customer.id,
          channel: 'email',
          transport: transport.name,
          status: 'pending',
          from_address: account.sender_email ? `${account.sender_name ?? account.name} <${account.sender_email}>` : `${account.sender_name ?? account.name} <reminders@relance.invalid>`,
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
        })
        .execute();
      await trx.updateTable('reminder_occurrences').set({ status: 'sending', message_id: messageId, updated_at: now }).where('id', '=', occurrence.id).execute();
      // A local transport has nothing to wait for: deliver in this transaction, under the same lock.
      if (transport.local) return deliver(trx, accountId, { ...occurrence, status: 'sending', message_id: messageId }, now);
      return 'deliver';
    });
  }

  /** Hands the stored message to the provider under the occurrence id, and records the outcome. */
  async function deliver(trx: Db, accountId: string, occurrence: OccurrenceRow, now: Date): Promise<Outcome> {
    const event = (type: string, extra: Record<string, unknown> = {}) =>
      recordEvent(trx, { accountId, type, objectType: 'reminder', objectId: occurrence.id, data: reminderData(occurrence, { message_id: occurrence.message_id, ...extra }), at: now });
    const message = await trx.selectFrom('messages').selectAll().where('id', '=', String(occurrence.message_id)).executeTakeFirstOrThrow();
    const attempts = occurrence.attempts + 1;
    try {
      const { providerMessageId } = await transport.send(
        { from: message.from_address, to: message.to_addresses, cc: message.cc_addresses, replyTo: message.reply_to, subject: message.subject, html: message.html, text: message.text, tags: { occurrence: occurrence.id.replace(/[^\w-]/g, '_') } },
        occurrence.id,
      );
      await trx.updateTable('messages').set({ status: 'sent', provider_message_id: providerMessageId, attempts, sent_at: now, updated_at: now }).where('id', '=', message.id).execute();
      await trx.updateTable('reminder_occurrences').set({ status: 'sent', attempts, sent_at: now, updated_at: now }).where('id', '=', occurrence.id).execute();
      await event('reminder.sent');
      return 'sent';
    } catch (error) {
      const failure = error instanceof Error ? error.message : String(error);
      const retry = error instanceof TransportError && error.retryable && attempts < MAX_SEND_ATTEMPTS;
      await trx.updateTable('messages').set({ attempts, error: failure, status: retry ? 'pending' : 'failed', updated_at: now }).where('id', '=', message.id).execute();
      await trx.updateTable('reminder_occurrences').set({ attempts, failure, status: retry ? 'sending' : 'failed', updated_at: now }).where('id', '=', occurrence.id).execute();
      if (!retry) await event('reminder.failed', { error: failure });
      return retry ? 'retry' : 'failed';
    }
  }

  async function phaseTwo(accountId: string, occurrenceId: string): Promise<Outcome> {
    return database.withAccount(accountId, async (trx) => {
      const peek = await trx.selectFrom('reminder_occurrences').select('invoice_id').where('id', '=', occurrenceId).executeTakeFirstOrThrow();
      const invoice = await trx.selectFrom('invoices').selectAll().where('id', '=', peek.invoice_id).forUpdate().executeTakeFirstOrThrow();
      const occurrence = await trx.selectFrom('reminder_occurrences').selectAll().where('id', '=', occurrenceId).forUpdate().executeTakeFirstOrThrow();
      if (occurrence.status !== 'sending' || !occurrence.message_id) return 'noop';
      const account = await trx.selectFrom('accounts').select(['id', 'mode']).executeTakeFirstOrThrow();
      const now = await nowFor(trx, account, clock);
      const event = (type: string, extra: Record<string, unknown> = {}) =>
        recordEvent(trx, { accountId, type, objectType: 'reminder', objectId: occurrence.id, data: reminderData(occurrence, { message_id: occurrence.message_id, ...extra }), at: now });

      // A payment, a void or a dispute may have landed since phase one: then nothing leaves.
      const chased = (invoice.status === 'open' || invoice.status === 'partially_paid') && invoice.balance > 0;
      if (!chased || invoice.disputed) {
        const reason = invoice.disputed ? 'disputed' : invoice.balance <= 0 ? 'paid' : invoice.status;
        await trx.updateTable('messages').set({ status: 'canceled', updated_at: now }).where('id', '=', occurrence.message_id).execute();
        await trx.updateTable('reminder_occurrences').set({ status: 'skipped', skip_reason: reason, updated_at: now }).where('id', '=', occurrence.id).execute();
        await event('reminder.skipped', { reason });
        return 'skipped';
      }
      return deliver(trx, accountId, occurrence, now);
    });
  }

  return {
    /** Runs one occurrence through the guard and, if it passes, delivers it. Safe to call twice. */
    async process(accountId: string, occurrenceId: string): Promise<Outcome> {
      const first = await phaseOne(accountId, occurrenceId);
      return first === 'deliver' ? phaseTwo(accountId, occurrenceId) : first;
    },
  };
}

export type ReminderEngine = ReturnType<typeof createReminderEngine>;
