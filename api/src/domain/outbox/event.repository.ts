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
    if (batch.every(isPlain))
      for (const [accountId, ofAccount] of Map.groupBy(batch, (event) => event.account_id))
        await insertPlainEvents(trx, accountId, ofAccount);
    else
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

const PLAIN_KEYS = new Set(['account_id', 'id', 'type', 'object_type', 'object_id', 'data', 'created_at']);
const isPlain = (event: EventValues) => Object.keys(event).every((key) => PLAIN_KEYS.has(key));

/**
 * A batch of events of distinct objects with nothing but the usual columns, as one statement of
 * seven array parameters: a planner batch writes hundreds, and a row of parameters each (plus a
 * sequence subquery per row in the statement's text) cost Postgres more to parse and plan than
 * to insert.
 */
async function insertPlainEvents(trx: Db, accountId: string, batch: readonly EventValues[]): Promise<void> {
  const column = <T>(pick: (event: EventValues) => T) => batch.map(pick);
  await sql`
    INSERT INTO events (account_id, id, type, object_type, object_id, data, created_at, object_sequence)
    SELECT e.account_id, e.id, e.type, e.object_type, e.object_id, e.data, e.created_at,
           (SELECT coalesce(max(x.object_sequence), 0) + 1 FROM events x
             WHERE x.account_id = e.account_id AND x.object_id = e.object_id)
      FROM unnest(${column((e) => e.account_id)}::text[], ${column((e) => e.id)}::text[], ${column((e) => e.type)}::text[],
                  ${column((e) => e.object_type)}::text[], ${column((e) => e.object_id)}::text[],
                  ${column((e) => (typeof e.data === 'string' ? e.data : JSON.stringify(e.data)))}::jsonb[],
                  ${column((e) => e.created_at)}::timestamptz[])
        AS e(account_id, id, type, object_type, object_id, data, created_at)
     -- The account named (they are all of it): a statement that says which account it is about.
     WHERE e.account_id = ${accountId}`.execute(trx);
}
