import { type Insertable, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { Events } from '../../store/db-types.ts';
import { newId } from '../../ids.ts';

export interface NewEvent {
  accountId: string;
  type: string;
  objectType: string;
  objectId: string;
  /** A snapshot of the object as the API shows it, at the time of the change. */
  data: unknown;
  at: Date;
}

/**
 * The next `object_sequence` of an object: its highest plus one. Safe because the writers of one
 * object's events hold that object's row lock; the unique index catches a writer that does not.
 */
export const nextObjectSequence = (accountId: string, objectId: string) =>
  sql<number>`(SELECT coalesce(max(object_sequence), 0) + 1 FROM events WHERE account_id = ${accountId} AND object_id = ${objectId})`;

/** Writes an event in the caller's transaction (the outbox): it exists if and only if the change does. */
export async function recordEvent(trx: Db, event: NewEvent): Promise<void> {
  await trx
    .insertInto('events')
    .values({
      account_id: event.accountId,
      id: newId('event'),
      type: event.type,
      object_type: event.objectType,
      object_id: event.objectId,
      object_sequence: nextObjectSequence(event.accountId, event.objectId),
      data: JSON.stringify(event.data),
      created_at: event.at,
    })
    .execute();
}

export type EventValues = Omit<Insertable<Events>, 'object_sequence'>;

/**
 * Writes several events at once (in the caller's transaction), each with its object's next
 * sequence. Events about the same object go in successive statements, in the order given, since
 * one statement's rows do not see each other.
 */
export async function insertEvents(trx: Db, events: readonly EventValues[]): Promise<void> {
  let pending = [...events];
  while (pending.length > 0) {
    const seen = new Set<string>();
    const batch: EventValues[] = [];
    const later: EventValues[] = [];
    for (const event of pending) {
      const key = `${event.account_id}\u0000${event.object_id}`;
      (seen.has(key) ? later : batch).push(event);
      seen.add(key);
    }
    await trx
      .insertInto('events')
      .values(
        batch.map((event) => ({ ...event, object_sequence: nextObjectSequence(event.account_id, event.object_id) })),
      )
      .execute();
    pending = later;
  }
}

/**
 * Takes up to `limit` events not yet dispatched to webhooks, oldest first, and marks them
 * dispatched; rows another dispatcher holds are skipped.
 */
export async function takeUndispatchedEvents(trx: Db, limit: number) {
  return (
    await sql<{ account_id: string; id: string; type: string }>`
          WITH batch AS (
            SELECT account_id, id FROM events WHERE NOT dispatched ORDER BY seq LIMIT ${limit} FOR UPDATE SKIP LOCKED
          )
          UPDATE events e SET dispatched = true FROM batch
           WHERE e.account_id = batch.account_id AND e.id = batch.id
          RETURNING e.account_id, e.id, e.type`.execute(trx)
  ).rows;
}
