import type { Clock } from '../../clock.ts';
import type { Db } from '../../store/database.ts';
import { recordEvent } from '../outbox/index.ts';
import { markSkipped, type OccurrenceRow } from './reminder-occurrence.repository.ts';
import { testClockOf } from './test-clock.repository.ts';

/** Attempts at handing a message to the provider before the reminder counts as failed. */
export const MAX_SEND_ATTEMPTS = 5;

export type Outcome = 'sent' | 'skipped' | 'held' | 'deferred' | 'failed' | 'retry' | 'noop';

/** The instant "now" is for an account: its test clock when it is a test account, else the system's. */
export async function nowFor(trx: Db, account: { id: string; mode: string }, clock: Clock): Promise<Date> {
  return (await timeOf(trx, account, clock)).now;
}

/**
 * "Now" for an account, and whether it is a sandbox: a test account that follows real time (its
 * clock not set), whose outbox shows results at once, whatever the hour.
 */
export async function timeOf(
  trx: Db,
  account: { id: string; mode: string },
  clock: Clock,
): Promise<{ now: Date; sandbox: boolean }> {
  if (account.mode !== 'test') return { now: clock.now(), sandbox: false };
  const row = await testClockOf(trx, account.id);
  return row ? { now: row.now, sandbox: false } : { now: clock.now(), sandbox: true };
}

/** The `data` of a reminder's events. */
export const reminderData = (o: OccurrenceRow, extra: Record<string, unknown> = {}) => ({
  id: o.id,
  invoice_id: o.invoice_id,
  step_id: o.step_id,
  repeat_index: o.repeat_index,
  offset_days: o.offset_days,
  channel: o.channel,
  template_key: o.template_key,
  ...(o.sent_as && { sent_as: o.sent_as }),
  ...extra,
});

/** Marks a reminder skipped, with why, and says so in an event. */
export async function skipOccurrence(
  trx: Db,
  accountId: string,
  occurrence: OccurrenceRow,
  reason: string,
  now: Date,
): Promise<'skipped'> {
  await markSkipped(trx, accountId, occurrence.id, reason, now);
  await skippedEvent(trx, accountId, { ...occurrence, skip_reason: reason }, now);
  return 'skipped';
}

/** `reminder.skipped` for a reminder marked skipped, with its reason (and the reminder it was folded into). */
export async function skippedEvent(trx: Db, accountId: string, occurrence: OccurrenceRow, now: Date): Promise<void> {
  await recordEvent(trx, {
    accountId,
    type: 'reminder.skipped',
    objectType: 'reminder',
    objectId: occurrence.id,
    data: reminderData(occurrence, {
      message_id: occurrence.message_id,
      reason: occurrence.skip_reason,
      ...(occurrence.folded_into && { folded_into: occurrence.folded_into }),
    }),
    at: now,
  });
}
