import Type from 'typebox';
import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import type { Database, Db } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { addDays, todayIn, zonedDateTimeToInstant } from '../calendar.ts';
import { lockInvoices } from '../invoices/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { type Actor, assertWriteAccess, CalendarDate } from '../shared/index.ts';
import { reminderData, skipOccurrence, timeOf } from './ledger.ts';
import { policiesById } from './policy.repository.ts';
import { accountTime } from './account-settings.repository.ts';
import {
  holdUntil,
  lockOccurrences,
  type OccurrenceRow,
  peekOccurrenceInvoice,
} from './reminder-occurrence.repository.ts';
import { presentDelivery, type ReminderDelivery } from './retry.service.ts';

/** The longest an integrator may hold a reminder. */
export const MAX_HOLD_DAYS = 365;

export const ReminderHold = Type.Object(
  {
    until: CalendarDate,
  },
  {
    $id: 'ReminderHold',
    additionalProperties: false,
    description: `Hold the reminder until this day (after today, at most ${MAX_HOLD_DAYS} days ahead): it goes at the policy's send time that day, if still owed.`,
  },
);
export type ReminderHold = Type.Static<typeof ReminderHold>;

/**
 * The integrator's veto, after `reminder.upcoming`: hold a reminder until a day, or cancel it.
 * Each takes the invoice's row lock, as the sender does, so it lands wholly before or after a
 * send: a reminder already on its way or sent cannot be stopped (409 `reminder/not_pending`).
 */
export function createReminderVetoService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;

  /** The reminder, locked after its invoice (the sender's order), and the account's now and today. */
  async function locked(trx: Db, accountId: string, id: string) {
    const peek = await peekOccurrenceInvoice(trx, accountId, id);
    if (!peek) throw notFound('reminder', id);
    await lockInvoices(trx, [peek.invoice_id]);
    const [occurrence] = await lockOccurrences(trx, accountId, [id]);
    if (!occurrence) throw notFound('reminder', id);
    const account = await accountTime(trx, accountId);
    const { now } = await timeOf(trx, account, clock);
    return { occurrence, now, today: todayIn(now, account.time_zone), timeZone: account.time_zone };
  }

  const notPending = (o: OccurrenceRow) =>
    new AppError(
      'reminder/not_pending',
      409,
      `The reminder is ${o.status}: only a reminder still to go (scheduled or held) can be held or canceled.`,
    );

  return {
    /** Holds a reminder still to go until `until`; holding it again moves the day. */
    async hold(actor: Actor, id: string, input: ReminderHold): Promise<ReminderDelivery> {
      assertWriteAccess(actor);
      const { until } = parseInput<ReminderHold>(ReminderHold, input);
      return database.withAccount(actor.accountId, async (trx) => {
        const { occurrence, now, today, timeZone } = await locked(trx, actor.accountId, id);
        if (occurrence.status !== 'scheduled' && occurrence.status !== 'held') throw notPending(occurrence);
        if (until <= today || until > addDays(today, MAX_HOLD_DAYS))
          throw new AppError(
            'reminder/invalid_hold',
            422,
            `Hold until a day after today (${today}) and at most ${MAX_HOLD_DAYS} days ahead.`,
            {
              errors: [
                { field: '/until', message: `must be after ${today} and at most ${addDays(today, MAX_HOLD_DAYS)}` },
              ],
            },
          );
        const policy = (await policiesById(trx, actor.accountId, [occurrence.policy_id])).get(occurrence.policy_id);
        const at = zonedDateTimeToInstant(until, policy?.send_hour ?? 9, policy?.send_minute ?? 0, timeZone);
        const later = occurrence.scheduled_at && occurrence.scheduled_at > at ? occurrence.scheduled_at : at;
        const held = await holdUntil(trx, actor.accountId, id, until, later, now);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'reminder.held',
          objectType: 'reminder',
          objectId: id,
          data: reminderData(held, { held_until: until, scheduled_at: held.scheduled_at?.toISOString() ?? null }),
          at: now,
        });
        return presentDelivery(held);
      });
    },

    /** Cancels a reminder still to go, for good (skipped, reason `canceled`); cancelling it again changes nothing. */
    async cancel(actor: Actor, id: string): Promise<ReminderDelivery> {
      assertWriteAccess(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const { occurrence, now } = await locked(trx, actor.accountId, id);
        if (occurrence.status === 'skipped' && occurrence.skip_reason === 'canceled')
          return presentDelivery(occurrence);
        if (occurrence.status !== 'scheduled' && occurrence.status !== 'held') throw notPending(occurrence);
        await skipOccurrence(trx, actor.accountId, occurrence, 'canceled', now);
        const [after] = await lockOccurrences(trx, actor.accountId, [id]);
        return presentDelivery(after ?? occurrence);
      });
    },
  };
}

export type ReminderVetoService = ReturnType<typeof createReminderVetoService>;
