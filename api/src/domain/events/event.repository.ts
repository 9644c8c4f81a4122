import { type ExpressionBuilder, type Selectable, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { DB, Events } from '../../store/db-types.ts';
import { invoiceRowFromJson, presentInvoice } from '../invoices/index.ts';
import { pageSize } from '../shared/index.ts';
import type { Event, EventListQuery } from './event.schemas.ts';

export type EventRow = Selectable<Events>;

/**
 * An event's data as the API shows it. Most events store it so (`snapshot`); an `invoice_row`
 * event stores the invoice's row as the changing statement left it, shown here as the API shows
 * an invoice on the account's day of the change (see the migration that added `data_form`).
 */
function presentData(row: EventRow): Record<string, unknown> {
  if (row.data_form === 'invoice_row' && row.data_day !== null) {
    return presentInvoice(invoiceRowFromJson(row.data as Record<string, unknown>), row.data_day) as unknown as Record<
      string,
      unknown
    >;
  }
  return row.data as Record<string, unknown>;
}

export const presentEvent = (row: EventRow): Event => ({
  id: row.id,
  object: 'event',
  account_id: row.account_id,
  type: row.type,
  object_type: row.object_type,
  object_id: row.object_id,
  data: presentData(row),
  object_sequence: row.object_sequence,
  sequence: row.seq,
  created_at: row.created_at.toISOString(),
});

/** One page of events, newest first (in the order they were written), filtered by type, object and time. */
export function listEvents(trx: Db, query: EventListQuery) {
  let q = trx
    .selectFrom('events')
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(pageSize(query) + 1);
  if (query.starting_after) {
    // Events are paged by sequence; an unknown cursor gives an empty page.
    const cursor = trx.selectFrom('events').select('seq').where('id', '=', query.starting_after);
    q = q.where('seq', '<', cursor);
  }
  if (query.type) q = q.where('type', '=', query.type);
  if (query.object_id) q = q.where('object_id', '=', query.object_id);
  if (query.created_from) q = q.where('created_at', '>=', new Date(query.created_from));
  if (query.created_to) q = q.where('created_at', '<=', new Date(query.created_to));
  if (query.delivery_success !== undefined) {
    const unsuccessful = (eb: ExpressionBuilder<DB, 'events'>) =>
      eb.exists(
        eb
          .selectFrom('webhook_deliveries as d')
          .select('d.id')
          .whereRef('d.event_id', '=', 'events.id')
          .where('d.status', '!=', 'succeeded'),
      );
    const delivered = (eb: ExpressionBuilder<DB, 'events'>) =>
      eb.exists(eb.selectFrom('webhook_deliveries as d').select('d.id').whereRef('d.event_id', '=', 'events.id'));
    q = query.delivery_success
      ? q.where((eb) => eb.and([delivered(eb), eb.not(unsuccessful(eb))]))
      : q.where((eb) => unsuccessful(eb));
  }
  return q.execute();
}

export const findEvent = (trx: Db, id: string) =>
  trx.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();

/** An event's id and type (what a webhook delivery names). */
export const eventTypeOf = (trx: Db, id: string) =>
  trx.selectFrom('events').select(['id', 'type']).where('id', '=', id).executeTakeFirst();

export const eventsByIds = (trx: Db, ids: readonly string[]) =>
  trx.selectFrom('events').selectAll().where('id', 'in', ids).execute();

/**
 * Deletes up to `batch` events (across accounts) written before `cutoff`, keeping the newest
 * event of each object whatever its age. Returns how many.
 */
export async function purgeEventsBefore(trx: Db, cutoff: Date, batch: number): Promise<number> {
  return Number(
    (
      await sql`
                DELETE FROM events WHERE (account_id, id) IN (
                  SELECT e.account_id, e.id FROM events e
                   WHERE e.created_at < ${cutoff}
                     AND EXISTS (SELECT 1 FROM events n WHERE n.account_id = e.account_id AND n.object_id = e.object_id AND n.object_sequence > e.object_sequence)
                   LIMIT ${batch})`.execute(trx)
    ).numAffectedRows ?? 0,
  );
}
