import Type from 'typebox';
import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import type { Database, Db } from '../../store/database.ts';
import { accountTime, type Actor, assertWriteAccess, CalendarDate, Nullable, Timestamp } from '../shared/index.ts';
import { addDays, todayIn, zonedDateTimeToInstant } from '../calendar.ts';
import { Channel } from './policy.schemas.ts';
import { customersByIds } from '../customers/index.ts';
import { currentAccount } from './account-settings.repository.ts';
import { channelOf, type Channels } from './channels/registry.ts';
import { listOccurrencesWithSubject, nextScheduledAfter } from './reminder-occurrence.repository.ts';
import { invoicesQueuedForReplan } from './planning.repository.ts';
import { replanInvoice } from './schedule.ts';
import type { ReminderScheduler } from './scheduler.ts';
import { dropTestClock, setTestClock } from './test-clock.repository.ts';
import { deleteTestData, hasAnyInvoice, invoicesOfTimelines, restartMonthlyStatements } from './timeline.repository.ts';

export const TimelineEntry = Type.Object(
  {
    id: Type.String(),
    step_id: Type.String(),
    repeat_index: Type.Integer(),
    installment_number: Nullable(
      Type.Integer({
        description:
          'On a payment plan: the installment this reminder is about (its offset is relative to the installment date).',
      }),
    ),
    offset_days: Type.Integer(),
    channel: Channel,
    template_key: Nullable(Type.String()),
    status: Type.Enum(['scheduled', 'held', 'sending', 'sent', 'skipped', 'failed', 'canceled']),
    scheduled_at: Nullable(Timestamp),
    moved_from: Nullable(CalendarDate),
    moved_for: Nullable(
      Type.String({
        description:
          'Why the reminder left its date: each day skipped, `2026-12-25 Noël, 2026-12-26 weekend` (public holidays by their name).',
      }),
    ),
    reason: Nullable(
      Type.String({
        description:
          'Why it was skipped, held or deferred: `stale` (superseded by a later step), `first_contact` (waits after the first overdue notice), `min_gap` (waits after a catch-up)…',
      }),
    ),
    sent_as: Nullable(
      Type.String({
        description:
          'The template it went out as when not its own: `first_overdue`, the first message about an invoice already late, in place of a step that presupposes earlier reminders.',
      }),
    ),
    folded_into: Nullable(
      Type.String({ description: 'Skipped as superseded: the reminder that went out in its place (a catch-up).' }),
    ),
    sent_at: Nullable(Timestamp),
    subject: Nullable(Type.String({ description: 'The subject sent, or that would be sent if it went out now.' })),
    message_id: Nullable(Type.String()),
    task_id: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type TimelineEntry = Type.Static<typeof TimelineEntry>;

export const Timeline = Type.Object(
  { object: Type.Literal('timeline'), invoice_id: Type.String(), reminders: Type.Array(TimelineEntry) },
  { $id: 'Timeline', additionalProperties: false },
);
export type Timeline = Type.Static<typeof Timeline>;

export const TestClock = Type.Object(
  { object: Type.Literal('test_clock'), now: Timestamp, today: CalendarDate },
  { $id: 'TestClock', additionalProperties: false },
);
export type TestClock = Type.Static<typeof TestClock>;

export const TestClockAdvance = Type.Object(
  {
    to: Type.String({ format: 'date-time', description: 'The instant to move the clock to; at most 400 days ahead.' }),
  },
  { $id: 'TestClockAdvance', additionalProperties: false },
);
export type TestClockAdvance = Type.Static<typeof TestClockAdvance>;

export const TestClockReset = Type.Object(
  {
    to: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'The instant to set the clock to, in the past or the future; the real now when absent.',
      }),
    ),
  },
  { $id: 'TestClockReset', additionalProperties: false },
);
export type TestClockReset = Type.Static<typeof TestClockReset>;

const MAX_ADVANCE_MS = 400 * 24 * 3600 * 1000;

export function createTimelineService(deps: {
  database: Database;
  clock: Clock;
  channels: Channels;
  scheduler: ReminderScheduler;
  /** When the account's next monthly statement falls due after an instant (domain/statements): time stops there too. */
  nextStatementAfter?: (accountId: string, after: Date) => Promise<Date | null>;
}) {
  const { database, clock, channels, scheduler } = deps;
  const timeFor = accountTime(database, clock);

  const service = {
    /**
     * An invoice's whole follow-up: what was sent (or skipped, and why) and what is to come,
     * with the subject each email would have if it went out now.
     */
    async timeline(actor: Actor, invoiceId: string): Promise<Timeline> {
      const timeline = (await service.timelines(actor, [invoiceId])).get(invoiceId);
      if (!timeline) throw notFound('invoice', invoiceId);
      return timeline;
    },

    /**
     * The timelines of several invoices, read together (GraphQL's `Invoice.timeline` through
     * DataLoader): one transaction, the same statements for one invoice or a hundred (plus a
     * replan for each invoice flagged for one). Unknown ids are left out of the map.
     */
    async timelines(actor: Actor, invoiceIds: readonly string[]): Promise<Map<string, Timeline>> {
      const timelines = new Map<string, Timeline>();
      if (invoiceIds.length === 0) return timelines;
      const { now, today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        let invoices = await invoicesOfTimelines(trx, invoiceIds);
        if (invoices.length === 0) return timelines;
        const queued = await invoicesQueuedForReplan(
          trx,
          actor.accountId,
          invoices.map((i) => i.id),
        );
        const flagged = invoices.filter((i) => queued.has(i.id));
        for (const invoice of flagged)
          await replanInvoice(trx, {
            accountId: actor.accountId,
            invoiceId: invoice.id,
            timeZone: actor.timeZone,
            now,
          });
        if (flagged.length > 0)
          invoices = await invoicesOfTimelines(
            trx,
            invoices.map((i) => i.id),
          );
        const occurrences = await listOccurrencesWithSubject(
          trx,
          invoices.map((i) => i.id),
        );
        const account = await currentAccount(trx);
        const customers = new Map(
          (await customersByIds(trx, [...new Set(invoices.map((i) => i.customer_id))])).map((c) => [c.id, c]),
        );
        for (const invoice of invoices)
          timelines.set(invoice.id, { object: 'timeline', invoice_id: invoice.id, reminders: [] });
        const invoiceById = new Map(invoices.map((i) => [i.id, i]));
        for (const o of occurrences) {
          const invoice = invoiceById.get(o.invoice_id);
          const customer = invoice && customers.get(invoice.customer_id);
          if (!invoice || !customer) continue;
          let subject = o.subject;
          if (!subject && (o.status === 'scheduled' || o.status === 'held')) {
            const at = o.scheduled_at && o.scheduled_at > now ? todayIn(o.scheduled_at, account.time_zone) : today;
            subject = await channelOf(channels, o.channel)
              .preview(trx, { account, customer, invoice, occurrence: o, today: at })
              .catch((e: Error) => `(cannot render: ${e.message})`);
          }
          timelines.get(invoice.id)?.reminders.push({
            id: o.id,
            step_id: o.step_id,
            repeat_index: o.repeat_index,
            installment_number: o.installment_number === 0 ? null : o.installment_number,
            offset_days: o.offset_days,
            channel: o.channel as TimelineEntry['channel'],
            template_key: o.template_key,
            status: o.status as TimelineEntry['status'],
            scheduled_at: o.scheduled_at?.toISOString() ?? null,
            moved_from: o.moved_from,
            moved_for: o.moved_for,
            reason: o.skip_reason ?? o.hold_reason ?? o.failure,
            sent_as: o.sent_as,
            folded_into: o.folded_into,
            sent_at: o.sent_at?.toISOString() ?? null,
            subject,
            message_id: o.message_id,
            task_id: o.task_id,
          });
        }
        return timelines;
      });
    },

    /** A test-mode account's clock. */
    async testClock(actor: Actor): Promise<TestClock> {
      if (actor.mode !== 'test')
        throw new AppError(
          'test_clock/live_account',
          403,
          'Only test-mode accounts (keys rk_test_…) have a test clock.',
        );
      const { now, today } = await timeFor(actor);
      return { object: 'test_clock', now: now.toISOString(), today };
    },

    /**
     * Moves a test account's clock forward and runs, in order, every piece of work that falls
     * due on the way (planning, due/overdue announcements, reminders, tasks) before returning.
     * It stops at each local midnight and at each reminder's time, so the simulation matches
     * what production would have done day by day.
     */
    async advance(actor: Actor, input: TestClockAdvance): Promise<TestClock> {
      assertWriteAccess(actor);
      if (actor.mode !== 'test')
        throw new AppError('test_clock/live_account', 403, 'Only test-mode accounts (keys rk_test_…) can move time.');
      const to = new Date(input.to);
      const { now: from } = await timeFor(actor);
      if (Number.isNaN(to.getTime()))
        throw new AppError('test_clock/invalid_time', 422, `'${input.to}' is not an instant.`, {
          errors: [{ field: '/to', message: 'must be a date-time' }],
        });
      // With no invoice yet, nothing depends on the clock: it may be set anywhere (a scenario dated in the past).
      const hasInvoices = await database.withAccount(actor.accountId, hasAnyInvoice);
      if (!hasInvoices) {
        await setClockOf(actor.accountId, to);
        return { object: 'test_clock', now: to.toISOString(), today: todayIn(to, actor.timeZone) };
      }
      if (to < from) {
        throw new AppError(
          'test_clock/backwards',
          422,
          `The account has invoices: its clock can only move forward from ${from.toISOString()} (POST /v1/test_clock/reset starts over).`,
          { errors: [{ field: '/to', message: 'must be after the current test time' }] },
        );
      }
      if (to.getTime() - from.getTime() > MAX_ADVANCE_MS) {
        throw new AppError('test_clock/too_far', 422, 'Advance at most 400 days at a time.', {
          errors: [{ field: '/to', message: 'is more than 400 days ahead' }],
        });
      }
      const setClock = (at: Date) => setClockOf(actor.accountId, at);
      let current = from;
      for (;;) {
        const nextMidnight = nextLocalMidnight(current, actor.timeZone);
        const nextReminder = await database.withAccount(actor.accountId, (trx) =>
          nextScheduledAfter(trx, actor.accountId, current),
        );
        const nextStatement = await deps.nextStatementAfter?.(actor.accountId, current);
        const candidates = [to, nextMidnight, nextReminder, nextStatement].filter((d): d is Date => d instanceof Date);
        const step = new Date(Math.min(...candidates.map((d) => d.getTime())));
        await setClock(step);
        await scheduler.runUntilIdle({ kind: 'account', accountId: actor.accountId, now: step });
        current = step;
        if (step.getTime() >= to.getTime()) break;
      }
      return { object: 'test_clock', now: to.toISOString(), today: todayIn(to, actor.timeZone) };
    },

    /**
     * Starts a test account over, as Stripe's "delete all test data": its customers, invoices,
     * payments, messages, tasks, events… are deleted in one transaction, its settings kept, and
     * its clock set to `to`; without `to` the clock is dropped and the account follows real time
     * again, as a new test account does (the workers tick it until its clock is set).
     */
    async reset(actor: Actor, input: TestClockReset): Promise<TestClock> {
      assertWriteAccess(actor);
      if (actor.mode !== 'test')
        throw new AppError('test_clock/live_account', 403, 'Only test-mode accounts (keys rk_test_…) can be reset.');
      const to = input.to === undefined ? clock.now() : new Date(input.to);
      if (Number.isNaN(to.getTime()))
        throw new AppError('test_clock/invalid_time', 422, `'${input.to}' is not an instant.`, {
          errors: [{ field: '/to', message: 'must be a date-time' }],
        });
      await database.withAccount(actor.accountId, async (trx) => {
        await deleteTestData(trx, actor.accountId);
        if (input.to === undefined) await dropTestClock(trx, actor.accountId);
        else await upsertClock(trx, actor.accountId, to);
        // Monthly statements start over from the new time too.
        await restartMonthlyStatements(trx, actor.accountId, to);
      });
      return { object: 'test_clock', now: to.toISOString(), today: todayIn(to, actor.timeZone) };
    },
  };

  function setClockOf(accountId: string, at: Date) {
    return database.withAccount(accountId, (trx) => upsertClock(trx, accountId, at));
  }

  function upsertClock(trx: Db, accountId: string, at: Date) {
    return setTestClock(trx, accountId, at, () => clock.now());
  }

  return service;
}

/** The first instant after `at` that is 00:00 in `timeZone`. */
function nextLocalMidnight(at: Date, timeZone: string): Date {
  return zonedDateTimeToInstant(addDays(todayIn(at, timeZone), 1), 0, 0, timeZone);
}

export type TimelineService = ReturnType<typeof createTimelineService>;
