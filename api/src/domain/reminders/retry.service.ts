import Type from 'typebox';
import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import type { Database, Db } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { insertEvents } from '../outbox/index.ts';
import { newId } from '../../ids.ts';
import { type Actor, assertWriteAccess, Nullable } from '../shared/index.ts';
import { nowFor, reminderData } from './ledger.ts';
import { Channel } from './policy.schemas.ts';
import { accountMode } from './account-settings.repository.ts';
import {
  lockAccountOccurrence,
  lockFailedOccurrences,
  type OccurrenceRow,
  requeueFailed,
} from './reminder-occurrence.repository.ts';

/** The most reminders one bulk retry re-queues; `has_more` says to call again. */
export const RETRY_BATCH_MAX = 1000;

export const ReminderDelivery = Type.Object(
  {
    object: Type.Literal('reminder_delivery'),
    id: Type.String(),
    invoice_id: Type.String(),
    channel: Channel,
    status: Type.Enum(['scheduled', 'held', 'sending', 'sent', 'skipped', 'failed', 'canceled']),
    attempts: Type.Integer({ description: 'Calls made to the provider for it (a "not now" answer is not a failure).' }),
    failure: Nullable(Type.String({ description: 'What the provider said last, when it did not accept it.' })),
    retry_at: Nullable(Type.String({ format: 'date-time', description: 'While `sending`: when it is tried again.' })),
    requeues: Type.Integer({ description: 'Times it was re-queued after failing (`POST /v1/reminders/{id}/retry`).' }),
    message_id: Nullable(Type.String()),
    scheduled_at: Nullable(Type.String({ format: 'date-time', description: 'When it is to go (while scheduled).' })),
    held_until: Nullable(
      Type.String({
        format: 'date',
        description: 'Held by the integrator until this day (`POST /v1/reminders/{id}/hold`).',
      }),
    ),
    reason: Nullable(
      Type.String({
        description: 'Why it was skipped (`canceled`: by `POST /v1/reminders/{id}/cancel`), held or deferred.',
      }),
    ),
  },
  {
    $id: 'ReminderDelivery',
    additionalProperties: false,
    description: 'One reminder of an invoice and where its delivery stands.',
  },
);
export type ReminderDelivery = Type.Static<typeof ReminderDelivery>;

export const RemindersRetry = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.String(), {
        minItems: 1,
        maxItems: RETRY_BATCH_MAX,
        description: 'These reminders (those not failed are left as they are).',
      }),
    ),
    invoice_id: Type.Optional(Type.String({ description: "This invoice's failed reminders." })),
    failed_since: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Reminders that failed at or after this instant (an outage began).',
      }),
    ),
  },
  {
    $id: 'RemindersRetry',
    additionalProperties: false,
    description: "Which failed reminders to re-queue; all of the account's when empty. The criteria combine.",
  },
);
export type RemindersRetry = Type.Static<typeof RemindersRetry>;

export const RemindersRequeued = Type.Object(
  {
    object: Type.Literal('reminders_requeued'),
    count: Type.Integer({ description: 'Reminders re-queued by this call.' }),
    reminders: Type.Array(ReminderDelivery),
    has_more: Type.Boolean({
      description: `More failed reminders match (at most ${RETRY_BATCH_MAX} per call): call again.`,
    }),
  },
  { $id: 'RemindersRequeued', additionalProperties: false },
);
export type RemindersRequeued = Type.Static<typeof RemindersRequeued>;

export const presentDelivery = (o: OccurrenceRow): ReminderDelivery => ({
  object: 'reminder_delivery',
  id: o.id,
  invoice_id: o.invoice_id,
  channel: o.channel as Channel,
  status: o.status as ReminderDelivery['status'],
  attempts: o.attempts,
  failure: o.failure,
  retry_at: o.retry_at?.toISOString() ?? null,
  requeues: o.requeues,
  message_id: o.message_id,
  scheduled_at: o.scheduled_at?.toISOString() ?? null,
  held_until: o.held_until,
  reason: o.skip_reason ?? o.hold_reason,
});

/**
 * Failed reminders back in the queue, for a person who fixed the cause (an outage, a refused
 * address corrected at the provider). One with a stored message sends the same stored bytes
 * again under a new idempotency key; one that never composed is composed again. The guard runs
 * again first: a reminder whose invoice was paid meanwhile is skipped. Each re-queue writes
 * `reminder.requeued`.
 */
export function createReminderRetryService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;

  async function requeue(trx: Db, accountId: string, ids: readonly string[]): Promise<OccurrenceRow[]> {
    if (ids.length === 0) return [];
    const account = await accountMode(trx, accountId);
    const now = await nowFor(trx, account, clock);
    const requeued = await requeueFailed(trx, accountId, ids, now);
    if (requeued.length > 0) {
      await insertEvents(
        trx,
        requeued.map((o) => ({
          account_id: accountId,
          id: newId('event'),
          type: 'reminder.requeued',
          object_type: 'reminder',
          object_id: o.id,
          data: JSON.stringify(reminderData(o, { message_id: o.message_id })),
          created_at: now,
        })),
      );
    }
    return requeued;
  }

  return {
    /** Re-queues one failed reminder. One already queued again (`scheduled`, `sending`) is returned as it is. */
    async retry(actor: Actor, id: string): Promise<ReminderDelivery> {
      assertWriteAccess(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const current = await lockAccountOccurrence(trx, actor.accountId, id);
        if (!current) throw notFound('reminder', id);
        if (current.status === 'scheduled' || current.status === 'sending') return presentDelivery(current);
        if (current.status !== 'failed')
          throw new AppError(
            'reminder/not_failed',
            409,
            `The reminder is ${current.status}; only a failed reminder can be retried.`,
          );
        const [requeued] = await requeue(trx, actor.accountId, [id]);
        return presentDelivery(requeued ?? current);
      });
    },

    /** Re-queues the failed reminders that match (at most `RETRY_BATCH_MAX` per call). */
    async retryMany(actor: Actor, input: RemindersRetry): Promise<RemindersRequeued> {
      assertWriteAccess(actor);
      const criteria = parseInput<RemindersRetry>(RemindersRetry, input);
      return database.withAccount(actor.accountId, async (trx) => {
        const found = await lockFailedOccurrences(trx, actor.accountId, criteria, RETRY_BATCH_MAX + 1);
        const requeued = await requeue(
          trx,
          actor.accountId,
          found.slice(0, RETRY_BATCH_MAX).map((r) => r.id),
        );
        return {
          object: 'reminders_requeued',
          count: requeued.length,
          reminders: requeued.map(presentDelivery),
          has_more: found.length > RETRY_BATCH_MAX,
        };
      });
    },
  };
}

export type ReminderRetryService = ReturnType<typeof createReminderRetryService>;
