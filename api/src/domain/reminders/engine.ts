import type { Selectable } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Database, Db } from '../../store/database.ts';
import type { Accounts, Customers, Invoices } from '../../store/db-types.ts';
import { newId } from '../../ids.ts';
import { metrics } from '../../metrics.ts';
import { addDays, todayIn, zonedDateTimeToInstant } from '../calendar.ts';
import { holidayCalendar } from '../holidays.ts';
import { customersByIds } from '../customers/index.ts';
import { lockInvoices } from '../invoices/index.ts';
import { insertEvents, recordEvent } from '../outbox/index.ts';
import {
  insertMessages,
  insertPendingMessage,
  invoicesContacted,
  liveGroupMessage,
  suppressedPhones,
} from '../messages/index.ts';
import type { Delivery, MessageValues, ReminderChannel } from './channels/channel.ts';
import { accrueBeforeSending } from './channels/fees.ts';
import type { StatementRenderer } from '../documents/index.ts';
import { CHANNEL_NAMES, channelOf, channelPlan, type Channels } from './channels/registry.ts';
import { guardBeforeSend } from './guard.rules.ts';
import { currentAccount } from './account-settings.repository.ts';
import { type Outcome, reminderData, skipOccurrence, skippedEvent, timeOf } from './ledger.ts';
import { anyGroupingPolicy, policiesForInvoices, type PolicyRow } from './policy.repository.ts';
import { invoicesQueuedForReplan } from './planning.repository.ts';
import { minBalanceOf, planOf } from './policy.service.ts';
import {
  DEFAULT_POLICY,
  firstContactAllowed,
  type Contact,
  mayMessageAt,
  nextDaytime,
  nextContactDay,
  nextSendTime,
  type PolicyPlan,
  stepDate,
} from './policy.rules.ts';
import type { ReminderStep } from './policy.schemas.ts';
import {
  customerContactDays,
  dueOfSameCustomers,
  dueStepsOfInvoices,
  lockOccurrences,
  markDeferred,
  markFailed,
  markHeld,
  markSending,
  markSent,
  markSentAs,
  markSentWithMessages,
  type OccurrenceRow,
  peekInFlight,
  spaceAfterCatchUp,
} from './reminder-occurrence.repository.ts';
import { replanInvoices } from './schedule.ts';
import { clearBrokenPromise, setCatchUpGap, suppressedEmails } from './sending.repository.ts';
import { createSender, type FetchFile } from './sender.ts';

export { MAX_SEND_ATTEMPTS, nowFor, type Outcome } from './ledger.ts';
export type { ComposedEmail, ComposeInput, GroupedComposeInput, MessageComposer } from './channels/channel.ts';
export type { OccurrenceRow };

/** Each channel's delivery for one account, resolved before its batch (no transaction open). */
async function deliveriesOf(channels: Channels, accountId: string): Promise<Map<string, Delivery>> {
  const deliveries = new Map<string, Delivery>();
  for (const channel of channels.values()) {
    const delivery = channel.delivery;
    if (delivery) deliveries.set(channel.name, delivery.forAccount ? await delivery.forAccount(accountId) : delivery);
  }
  return deliveries;
}

/** Phase one's verdict on a reminder: done (an outcome), or to deliver through its channel. */
type Decision = Outcome | { deliver: string };

/** A reminder that passed every check and is about to be composed. */
interface Ready {
  occurrence: OccurrenceRow;
  /** As it is composed: `first_overdue` in place of its own template when it opens the conversation. */
  sending: OccurrenceRow;
  invoice: Selectable<Invoices>;
  customer: Selectable<Customers>;
  channel: ReminderChannel;
  sentAs: string | null;
  /** It goes out after the day it was planned for (or as the first overdue notice): the policy's gap follows. */
  catchUp: boolean;
  attachInvoicePdf: boolean;
  /** The step attaches the customer's statement (`attach_statement`). */
  attachStatement: boolean;
  /** The policy's first send time at least `min_gap_days` after today. */
  afterGap: () => Date;
  /** The next send time from tomorrow on. */
  tomorrow: () => Date;
}

/** How far along the schedule a reminder is: its days from the due date; a first overdue notice just past it. */
const advance = (r: Ready) =>
  r.occurrence.offset_days > 0 && r.sentAs === 'first_overdue' ? 0.5 : r.occurrence.offset_days;

/** What phase one knows when it decides one reminder of a batch. */
interface DecideContext {
  accountId: string;
  account: Selectable<Accounts>;
  invoice: Selectable<Invoices>;
  customer: Selectable<Customers>;
  occurrence: OccurrenceRow;
  policy: PolicyRow | undefined;
  now: Date;
  today: string;
  laterStepDue: boolean;
  /** The due steps of the batch's invoices, as read when it began. */
  dueNow: ReadonlyArray<{
    id: string;
    invoice_id: string;
    installment_number: number;
    offset_days: number;
    repeat_index: number;
    channel: string;
    status: string;
  }>;
  /** Invoices whose customer has had a message about them; grows as the batch composes. */
  contacted: Set<string>;
  /** Per customer, the local days of its recent budgeted contacts; grows as the batch composes. */
  contactDays: Map<string, Contact[]>;
  /** A test account following real time (no clock set): its outbox shows results at any hour. */
  sandbox: boolean;
  suppressed: Set<string>;
  suppressedPhones: Set<string>;
  /** Messages a local transport delivered in this batch, written together at its end. */
  sentLocally: SentLocally[];
  /** Each channel's delivery for this account (its own provider credential, or the service's). */
  deliveries: ReadonlyMap<string, Delivery>;
}

/** What phase one shares across a batch's reminders. */
type Batch = Pick<
  DecideContext,
  | 'accountId'
  | 'account'
  | 'now'
  | 'today'
  | 'contacted'
  | 'contactDays'
  | 'suppressed'
  | 'suppressedPhones'
  | 'sentLocally'
  | 'deliveries'
>;

/** The channels whose reminders count against a customer's contact budget. */
const BUDGETED_CHANNELS = CHANNEL_NAMES.filter((c) => channelPlan(c).budgeted);

/** Code-point order of two ids (as PostgreSQL's `C` collation sorts them). */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Sends due reminders effectively once. Phase one, in one transaction with the invoices' rows
 * locked: the guard, then the reminder's channel composes it (a task, an event, or a message
 * stored as `pending`, its reminder `sending`). Then, per message, the sender (sender.ts) claims
 * the attempt under the invoice's lock (a last check), calls the provider with no transaction
 * open, and settles the outcome in a transaction of its own. A payment takes the same row lock,
 * so no reminder is claimed after a payment commits; a crash between the call and the settle
 * resends the same stored bytes under the same idempotency key (the occurrence id).
 */
export function createReminderEngine(deps: {
  database: Database;
  clock: Clock;
  channels: Channels;
  /** Fetches the files emails attach (an invoice's PDF), under the SSRF guard. */
  fetchFile?: FetchFile;
  /** Makes the statements emails attach (a step's `attach_statement`). */
  renderStatement?: StatementRenderer;
  /** The back-off's base and the lease of a claimed call (REMINDER_RETRY_SECONDS). */
  retryBaseMs?: number;
}) {
  const { database, clock, channels } = deps;
  const sender = createSender(deps);
  /** The channels that can carry several reminders of a customer in one message. */
  const GROUPING_CHANNELS = [...channels.values()].filter((c) => c.composeGroup).map((c) => c.name);

  /**
   * Phase one for a batch of one account's reminders, in one transaction: their invoices are
   * locked (in id order), what every guard needs is read once, then each reminder is decided in
   * the order it falls due, exactly as if they were taken one by one.
   */
  async function phaseOne(
    accountId: string,
    occurrenceIds: string[],
    deliveries: ReadonlyMap<string, Delivery>,
  ): Promise<Map<string, Decision>> {
    const results = new Map<string, Decision>(occurrenceIds.map((id) => [id, 'noop']));
    return database.withAccount(accountId, async (trx) => {
      let peeks = await peekInFlight(trx, accountId, occurrenceIds);
      if (peeks.length === 0) return results;
      const account = await currentAccount(trx);
      const { now, sandbox } = await timeOf(trx, account, clock);
      // A policy that groups by customer: the batch takes the customers' other reminders due now
      // through the same channel, so that one message carries their whole day.
      if (await anyGroupingPolicy(trx, accountId)) {
        const more = await dueOfSameCustomers(
          trx,
          accountId,
          peeks.map((p) => p.id),
          GROUPING_CHANNELS,
          now,
        );
        if (more.length > 0) {
          peeks = [...peeks, ...(await peekInFlight(trx, accountId, more))];
          for (const id of more) results.set(id, 'noop');
        }
      }
      const invoiceIds = [...new Set(peeks.map((p) => p.invoice_id))].sort();
      let invoices = await lockInvoices(trx, invoiceIds);
      const today = todayIn(now, account.time_zone);
      const policyByInvoice = await policiesForInvoices(trx, accountId, invoiceIds);
      // Read under the invoices' locks: a writer that changes an invoice queues it under the same lock.
      const queued = await invoicesQueuedForReplan(trx, accountId, invoiceIds);
      // An invoice whose policy changed is replanned first, queued yet or not (the workers queue
      // a changed policy's invoices in the background).
      const toReplan = invoices
        .filter((i) => queued.has(i.id) || policyByInvoice.get(i.id)?.replan_after != null)
        .map((i) => i.id);
      if (toReplan.length > 0) {
        await replanInvoices(trx, { accountId, invoiceIds: toReplan, timeZone: account.time_zone, now });
        invoices = await lockInvoices(trx, invoiceIds);
      }
      const invoiceById = new Map(invoices.map((i) => [i.id, i]));
      // In the order they play out: by time, place in the schedule, then channel (an email before
      // the call or letter of the same day, so a first overdue notice goes before either), then
      // the older invoice first (ids sort by creation): when the contact budget lets only one of a
      // customer's reminders through today, which one is never left to chance.
      const occurrences = (
        await lockOccurrences(
          trx,
          accountId,
          peeks.map((p) => p.id),
        )
      ).sort(
        (a, b) =>
          (a.scheduled_at?.getTime() ?? 0) - (b.scheduled_at?.getTime() ?? 0) ||
          a.installment_number - b.installment_number ||
          a.offset_days - b.offset_days ||
          a.repeat_index - b.repeat_index ||
          channelPlan(a.channel).rank - channelPlan(b.channel).rank ||
          byText(a.invoice_id, b.invoice_id) ||
          byText(a.id, b.id),
      );
      /** Invoices about which the customer has had a message (sent, or on its way). */
      const contacted = await invoicesContacted(trx, accountId, invoiceIds);
      const customerIds = [...new Set(invoices.map((i) => i.customer_id))];
      const customerById = new Map((await customersByIds(trx, customerIds)).map((c) => [c.id, c]));
      // The contact budget: the days each customer heard from us lately (a month back covers any
      // spacing a policy may ask), read only when a reminder of this batch would count.
      const contactDays = occurrences.some((o) => channelPlan(o.channel).budgeted)
        ? await customerContactDays(trx, {
            accountId,
            customerIds,
            channels: BUDGETED_CHANNELS,
            since: new Date(now.getTime() - 40 * 86_400_000),
            timeZone: account.time_zone,
          })
        : new Map<string, Contact[]>();
      const dueNow = await dueStepsOfInvoices(trx, accountId, invoiceIds, now);
      const recipients = [...customerById.values()]
        .flatMap((c) => [c.email, ...c.cc_emails])
        .filter((e): e is string => Boolean(e))
        .map((e) => e.toLowerCase());
      const suppressed = new Set(recipients.length === 0 ? [] : await suppressedEmails(trx, recipients));
      // Numbers that answered STOP, read only when a text is in the batch.
      const suppressedPhoneSet = occurrences.some((o) => o.channel === 'sms')
        ? await suppressedPhones(
            trx,
            accountId,
            [...customerById.values()].map((c) => c.mobile).filter((m): m is string => m !== null),
          )
        : new Set<string>();
      const sentLocally: SentLocally[] = [];
      /** Per customer and channel, the reminders of a grouping policy ready to go out as one message. */
      const groups = new Map<string, Ready[]>();
      const batch = {
        accountId,
        account,
        now,
        today,
        contacted,
        contactDays,
        suppressed,
        suppressedPhones: suppressedPhoneSet,
        sentLocally,
        deliveries,
      };
      for (const occurrence of occurrences) {
        const invoice = invoiceById.get(occurrence.invoice_id);
        const customer = invoice && customerById.get(invoice.customer_id);
        if (!invoice || !customer) continue;
        // On a payment plan, a later installment's reminder supersedes an earlier one's too.
        // A later step already on its way or sent (another job took it first) supersedes too, but
        // only in the same schedule: a breached plan's sent installments do not hide the policy's steps.
        const laterStepDue = dueNow.some(
          (d) =>
            d.invoice_id === invoice.id &&
            ((d.status === 'scheduled' && d.installment_number > occurrence.installment_number) ||
              (d.installment_number === occurrence.installment_number &&
                (d.offset_days > occurrence.offset_days ||
                  (d.offset_days === occurrence.offset_days && d.repeat_index > occurrence.repeat_index)))),
        );
        const decided = await decide(trx, {
          accountId,
          account,
          invoice,
          customer,
          occurrence,
          policy: policyByInvoice.get(invoice.id),
          now,
          today,
          laterStepDue,
          dueNow,
          contacted,
          contactDays,
          sandbox,
          suppressed,
          suppressedPhones: suppressedPhoneSet,
          sentLocally,
          deliveries,
        });
        if (typeof decided === 'object' && 'group' in decided) {
          const key = `${customer.id}|${occurrence.channel}`;
          groups.set(key, [...(groups.get(key) ?? []), decided.group]);
          continue;
        }
        results.set(occurrence.id, decided);
        if (typeof decided === 'string') metrics.reminder(occurrence.channel, decided);
      }
      for (const members of groups.values()) {
        const decisions =
          members.length === 1 && members[0]
            ? new Map([[members[0].occurrence.id, await finish(trx, batch, members[0])]])
            : await finishGroup(trx, batch, members);
        for (const [id, decided] of decisions) {
          results.set(id, decided);
          const channel = members.find((m) => m.occurrence.id === id)?.occurrence.channel ?? 'email';
          if (typeof decided === 'string') metrics.reminder(channel, decided);
        }
      }
      if (sentLocally.length > 0) {
        await insertMessages(
          trx,
          sentLocally.map((s) => s.message),
        );
        const sent = sentLocally.flatMap((s) =>
          s.occurrences.map((occurrence) => ({ occurrence, message: s.message })),
        );
        await markSentWithMessages(
          trx,
          sent.map((s) => ({ id: s.occurrence.id, messageId: s.message.id })),
          now,
        );
        await insertEvents(
          trx,
          sent.map((s) => ({
            account_id: accountId,
            id: newId('event'),
            type: 'reminder.sent',
            object_type: 'reminder',
            object_id: s.occurrence.id,
            data: JSON.stringify(reminderData(s.occurrence, { message_id: s.message.id })),
            created_at: now,
          })),
        );
      }
      return results;
    });
  }

  /** One reminder of a phase-one batch: the guard, then what its channel composes. */
  async function decide(trx: Db, ctx: DecideContext): Promise<Decision | { group: Ready }> {
    const { accountId, account, invoice, customer, occurrence, policy, now, today } = ctx;
    if (occurrence.status === 'sending') return { deliver: occurrence.channel };
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

    if (verdict.action === 'skip') return skipOccurrence(trx, accountId, occurrence, verdict.reason, now);
    if (verdict.action === 'hold') {
      await markHeld(trx, accountId, occurrence.id, verdict.reason, now);
      return 'held';
    }
    const plan: PolicyPlan = policy ? planOf(policy) : { ...DEFAULT_POLICY, repeat: null, steps: [] };
    if (verdict.action === 'defer') {
      const at = zonedDateTimeToInstant(verdict.until, plan.send_hour, plan.send_minute, account.time_zone);
      await markDeferred(trx, accountId, occurrence.id, at, verdict.reason, now);
      return 'deferred';
    }
    if (verdict.promiseBroken) {
      await clearBrokenPromise(trx, accountId, invoice.id, now);
      await recordEvent(trx, {
        accountId,
        type: 'promise.broken',
        objectType: 'invoice',
        objectId: invoice.id,
        data: { invoice_id: invoice.id, promise_to_pay_on: invoice.promise_to_pay_on },
        at: now,
      });
      invoice.promise_to_pay_on = null;
    }

    // Whose public holidays apply: the customer's country, else the account's.
    const holidays = () => {
      const where = [customer.billing_address, account.billing_address]
        .map((a) => a as { country?: string; region?: string } | null)
        .find((a) => a?.country);
      return holidayCalendar(where?.country, where?.region);
    };
    const daysOff = plan.skip_holidays ? holidays() : null;
    const zone = account.time_zone;
    /** The policy's first send time at least `min_gap_days` after today. */
    const afterGap = () =>
      nextSendTime(zonedDateTimeToInstant(addDays(today, plan.min_gap_days), 0, 0, zone), zone, plan, daysOff);
    const defer = async (until: Date, reason: string): Promise<Decision> => {
      await markDeferred(trx, accountId, occurrence.id, until, reason, now);
      return 'deferred';
    };
    // Held by the integrator (`POST /v1/reminders/{id}/hold`) until a day: it waits until then.
    if (occurrence.held_until && today < occurrence.held_until)
      return defer(zonedDateTimeToInstant(occurrence.held_until, plan.send_hour, plan.send_minute, zone), 'vetoed');
    // A catch-up went out lately: the rest of the schedule keeps the policy's minimum gap after it.
    if (invoice.catch_up_gap_until && invoice.catch_up_gap_until > now)
      return defer(invoice.catch_up_gap_until, 'min_gap');

    const channel = channelOf(channels, occurrence.channel);
    const contact = channel.plan.contact;
    /** A message step of this schedule, due and not gone, that comes before this reminder. */
    const messageAhead = ctx.dueNow.some(
      (d) =>
        d.invoice_id === invoice.id &&
        d.id !== occurrence.id &&
        d.installment_number === occurrence.installment_number &&
        d.status === 'scheduled' &&
        d.offset_days <= occurrence.offset_days &&
        channelPlan(d.channel).contact === 'message',
    );
    // A message never leaves at night, on a weekend or a holiday the policy skips: a reminder due
    // then (a catch-up after downtime, an invoice registered late, a release) waits for the next
    // send time, and so does a call or letter that follows it.
    // A text or a call reaches a person at once: only in daytime in the customer's time zone,
    // never on a Sunday or a public holiday, whatever the policy skips (docs/sms.md#daytime).
    if (channel.plan.daytimeOnly) {
      // A call behind a message due now waits for that message's send time first (then its gap).
      if (!ctx.sandbox && contact !== 'message' && messageAhead && !mayMessageAt(now, zone, plan, daysOff))
        return defer(nextSendTime(now, zone, plan, daysOff), 'send_time');
      const daytime = { fromHour: account.daytime_from_hour, untilHour: account.daytime_until_hour };
      const later = ctx.sandbox ? null : nextDaytime(now, customer.time_zone ?? zone, daytime, holidays());
      if (later) return defer(later, 'daytime');
    } else if (!ctx.sandbox && (contact === 'message' || messageAhead) && !mayMessageAt(now, zone, plan, daysOff))
      return defer(nextSendTime(now, zone, plan, daysOff), 'send_time');

    // The contact budget (docs/reminders.md#contact-budget): a message or letter that would be
    // one contact too many this week, or too soon after the last, waits for the first day it fits.
    if (channel.plan.budgeted) {
      const budget = {
        perWeek: policy?.max_contacts_per_week ?? account.max_contacts_per_week,
        minDaysBetween: policy?.min_days_between_contacts ?? account.min_days_between_contacts,
      };
      const day = nextContactDay(ctx.contactDays.get(customer.id) ?? [], today, budget, invoice.id);
      if (day)
        return defer(nextSendTime(zonedDateTimeToInstant(day, 0, 0, zone), zone, plan, daysOff), 'contact_budget');
    }

    // First contact: a step whose text or act presupposes earlier reminders (a firm reminder, a
    // final notice, a formal letter) is never the customer's first message about the invoice. An
    // email goes out as the first overdue notice instead; a call or a letter waits the policy's
    // gap after the notice that is going out now (if none is, a person acts: nothing can be said first).
    let sentAs: string | null = null;
    const step = (plan.steps as readonly ReminderStep[]).find((s) => s.id === occurrence.step_id);
    const mayOpen =
      occurrence.installment_number > 0 ||
      ctx.contacted.has(invoice.id) ||
      firstContactAllowed({ ...occurrence, first_contact_allowed: step?.first_contact_allowed });
    if (!mayOpen && contact === 'message') sentAs = 'first_overdue';
    else if (!mayOpen && contact === 'task' && messageAhead) return defer(afterGap(), 'first_contact');

    // A catch-up: the first overdue notice, or a reminder leaving after the day it was planned for
    // (registered late, released late, the service was down), in place of the steps before it:
    // one message, then the policy's gap.
    const plannedDay = stepDate(occurrence.installment_due_on ?? invoice.due_date, occurrence.offset_days, {
      weekends: plan.skip_weekends,
      holidays: daysOff,
    }).date;
    const catchUp = contact === 'message' && (sentAs !== null || plannedDay < today);
    const ready: Ready = {
      occurrence,
      sending: sentAs ? { ...occurrence, template_key: sentAs, sent_as: sentAs } : occurrence,
      invoice,
      customer,
      channel,
      sentAs,
      catchUp,
      attachInvoicePdf: step?.attach_invoice_pdf === true,
      attachStatement: step?.attach_statement === true,
      afterGap,
      tomorrow: () => nextSendTime(zonedDateTimeToInstant(addDays(today, 1), 0, 0, zone), zone, plan, daysOff),
    };
    // One message per customer and day (docs/reminders.md#one-message-per-customer): composed
    // once the batch has decided all of the customer's reminders. An installment's reminder, or a
    // step that attaches its invoice or a statement, goes on its own.
    if (
      policy?.grouping === 'customer' &&
      channel.composeGroup &&
      occurrence.installment_number === 0 &&
      !ready.attachInvoicePdf &&
      !ready.attachStatement
    )
      return { group: ready };
    return finish(trx, ctx, ready);
  }

  /** Runs reminders of one account through the guard and delivers those that pass. Safe to call twice. */
  async function processMany(accountId: string, occurrenceIds: string[]): Promise<Map<string, Outcome>> {
    const deliveries = await deliveriesOf(channels, accountId);
    const decisions = await phaseOne(accountId, occurrenceIds, deliveries);
    const outcomes = new Map<string, Outcome>();
    const toDeliver = new Map<string, string[]>();
    for (const [id, decided] of decisions) {
      outcomes.set(id, 'noop');
      if (typeof decided === 'string') outcomes.set(id, decided);
      else toDeliver.set(decided.deliver, [...(toDeliver.get(decided.deliver) ?? []), id]);
    }
    for (const [name, ids] of toDeliver) {
      for (const [id, outcome] of await sender.deliver(accountId, channelOf(channels, name), ids, deliveries.get(name)))
        outcomes.set(id, outcome);
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

/** A message went out about the reminder's invoice: the customer was contacted, and a catch-up spaces what follows. */
async function afterMessage(trx: Db, batch: Batch, r: Ready): Promise<void> {
  const { accountId, now } = batch;
  batch.contacted.add(r.invoice.id);
  if (r.sentAs) {
    r.occurrence.sent_as = r.sentAs;
    await markSentAs(trx, accountId, r.occurrence.id, r.sentAs);
  }
  if (r.catchUp) {
    const until = r.afterGap();
    const { folded } = await spaceAfterCatchUp(trx, accountId, r.occurrence, until, now);
    for (const f of folded) await skippedEvent(trx, accountId, f, now);
    await setCatchUpGap(trx, accountId, r.invoice.id, until);
    r.invoice.catch_up_gap_until = until;
    // The gap is for what follows: this reminder itself goes now.
  }
}

/** Counts a contact of the customer today against its budget. */
const countContact = (batch: Batch, r: Ready) =>
  batch.contactDays.set(r.customer.id, [
    ...(batch.contactDays.get(r.customer.id) ?? []),
    { day: batch.today, invoice: r.invoice.id },
  ]);

/** Composes one reminder through its channel, records what it came to, and delivers or stores its message. */
async function finish(trx: Db, batch: Batch, r: Ready): Promise<Decision> {
  const { accountId, account, now, today } = batch;
  const { occurrence, invoice, customer, channel } = r;
  const composed = await channel.compose({
    trx,
    accountId,
    account,
    customer,
    invoice,
    occurrence: r.sending,
    today,
    now,
    suppressed: batch.suppressed,
    suppressedPhones: batch.suppressedPhones,
    attachInvoicePdf: r.attachInvoicePdf,
    attachStatement: r.attachStatement,
  });
  if (channel.plan.budgeted && (composed.kind === 'message' || composed.kind === 'done')) countContact(batch, r);
  if (composed.kind === 'message') await afterMessage(trx, batch, r);
  switch (composed.kind) {
    case 'skip':
      return skipOccurrence(trx, accountId, occurrence, composed.reason, now);
    case 'fail':
      return fail(trx, accountId, occurrence, composed.failure, now);
    case 'done':
      await markSent(trx, occurrence.id, now, { ...(composed.taskId !== undefined && { taskId: composed.taskId }) });
      await recordEvent(trx, {
        accountId,
        type: 'reminder.sent',
        objectType: 'reminder',
        objectId: occurrence.id,
        data: reminderData(occurrence, composed.data ?? {}),
        at: now,
      });
      return 'sent';
    case 'message':
      return (await store(trx, batch, channel, composed.message, [occurrence])).get(occurrence.id) ?? 'noop';
  }
}

/**
 * A customer's reminders of the day through one channel, as ONE message listing each invoice,
 * in the tone of the most advanced step among them. Each was guarded under its invoice's lock;
 * at most one such message is live per customer, local day and channel (the group key).
 */
async function finishGroup(trx: Db, batch: Batch, members: Ready[]): Promise<Map<string, Decision>> {
  const { accountId, account, now, today } = batch;
  const [first] = members;
  const decisions = new Map<string, Decision>();
  if (!first) return decisions;
  const { customer, channel } = first;
  const groupKey = `${customer.id}:${today}:${channel.name}`;
  // The customer had its message of the day already (these fell due after it went): tomorrow.
  if (await liveGroupMessage(trx, accountId, groupKey)) {
    for (const m of members) {
      await markDeferred(trx, accountId, m.occurrence.id, m.tomorrow(), 'contact_budget', now);
      decisions.set(m.occurrence.id, 'deferred');
    }
    return decisions;
  }
  // Each invoice's fees as of today, for the steps that apply them.
  for (const m of members)
    if (m.sending.applies_late_fees)
      await accrueBeforeSending(
        {
          trx,
          accountId,
          account,
          customer,
          invoice: m.invoice,
          occurrence: m.sending,
          today,
          now,
          suppressed: batch.suppressed,
          suppressedPhones: batch.suppressedPhones,
        },
        true,
      );
  let lead = 0;
  for (const [i, m] of members.entries()) if (advance(m) > advance(members[lead] ?? m)) lead = i;
  const composed = await channel.composeGroup?.({
    trx,
    accountId,
    account,
    customer,
    items: members.map((m) => ({
      invoice: m.invoice,
      occurrence: m.sending,
      remindedBefore: batch.contacted.has(m.invoice.id),
    })),
    lead,
    today,
    now,
    suppressed: batch.suppressed,
    suppressedPhones: batch.suppressedPhones,
    groupKey,
  });
  if (!composed) throw new Error(`channel '${channel.name}' cannot group reminders`);
  switch (composed.kind) {
    case 'skip':
      for (const m of members)
        decisions.set(m.occurrence.id, await skipOccurrence(trx, accountId, m.occurrence, composed.reason, now));
      return decisions;
    case 'fail':
      for (const m of members)
        decisions.set(m.occurrence.id, await fail(trx, accountId, m.occurrence, composed.failure, now));
      return decisions;
    case 'done':
      throw new Error(`channel '${channel.name}' composed a group without a message`);
    case 'message':
      break;
  }
  if (channel.plan.budgeted) countContact(batch, first);
  for (const m of members) await afterMessage(trx, batch, m);
  return store(
    trx,
    batch,
    channel,
    composed.message,
    members.map((m) => m.occurrence),
  );
}

/**
 * A composed message and the reminders it carries: delivered at once by a local transport (and
 * written with the batch's other writes), else stored `pending` with its reminders `sending`.
 */
async function store(
  trx: Db,
  batch: Batch,
  channel: ReminderChannel,
  composed: MessageValues,
  carried: OccurrenceRow[],
): Promise<Map<string, Decision>> {
  const { now } = batch;
  const delivery = batch.deliveries.get(channel.name) ?? channel.delivery;
  if (!delivery) throw new Error(`channel '${channel.name}' composed a message but has no delivery`);
  // The message names the transport that takes it (an account's own Resend, or the service's).
  const message = { ...composed, transport: delivery.transport };
  const [lead] = carried;
  if (!lead) return new Map();
  // A local transport has nothing to wait for: deliver now, and store the sent message with the
  // batch's other writes, in this transaction, under the same locks. A statement to attach is
  // made first, outside this transaction: that message goes the sender's way (see sender.ts).
  if (delivery.local && message.attachment_kind !== 'statement') {
    const sending = carried.map((o) => ({ ...o, status: 'sending', message_id: message.id }));
    // Nothing leaves the outbox, so an attachment is not fetched: the message keeps its URL.
    const stored = {
      ...message,
      customer_id: message.customer_id ?? null,
      locale: message.locale ?? null,
      attachment_kind: message.attachment_kind ?? null,
      attachment_url: message.attachment_url ?? null,
      attachment_document_id: null,
      attachment_error: null,
      group_key: message.group_key ?? null,
    };
    const [result] = await delivery.send([
      { occurrence: sending[0] ?? lead, message: stored, idempotencyKey: lead.id },
    ]);
    if (!result?.ok) throw new Error(`local delivery of ${lead.id} failed: ${result?.failure ?? 'no result'}`);
    batch.sentLocally.push({
      message: {
        ...message,
        status: 'sent',
        provider_message_id: result.providerMessageId,
        attempts: 1,
        sent_at: now,
      },
      occurrences: sending,
    });
    return new Map(carried.map((o) => [o.id, 'sent']));
  }
  const row = await insertPendingMessage(trx, message);
  for (const o of carried) await markSending(trx, o.id, row.id, now);
  return new Map(carried.map((o) => [o.id, { deliver: channel.name }]));
}

/** The reminder failed for good (its message could not be composed). */
async function fail(trx: Db, accountId: string, occurrence: OccurrenceRow, failure: string, now: Date) {
  await markFailed(trx, occurrence.id, failure, now);
  await recordEvent(trx, {
    accountId,
    type: 'reminder.failed',
    objectType: 'reminder',
    objectId: occurrence.id,
    data: reminderData(occurrence, { error: failure }),
    at: now,
  });
  return 'failed' as const;
}

interface SentLocally {
  message: MessageValues;
  /** The reminders it carries (several for a grouped message). */
  occurrences: OccurrenceRow[];
}

export type ReminderEngine = ReturnType<typeof createReminderEngine>;
