import { type ExpressionBuilder, type Selectable, sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import type { Database } from '../../store/database.ts';
import type { DB, Events } from '../../store/db-types.ts';
import { parseInput } from '../../validation.ts';
import { invoiceRowFromJson, presentInvoice } from '../invoices/index.ts';
import { type Actor, type Page, toPage } from '../shared/index.ts';
import { type Event, EventListQuery } from './event.schemas.ts';

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

/** The outbox as the API shows it: every change of the account, newest first. */
export function createEventService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  return {
    /** Events newest first (in the order they were written), filtered by type, object and time. */
    list(actor: Actor, input: EventListQuery): Promise<Page<Event>> {
      const query = parseInput<EventListQuery>(EventListQuery, input);
      const limit = query.limit ?? 20;
      return database.withAccount(actor.accountId, async (trx) => {
        let q = trx
          .selectFrom('events')
          .selectAll()
          .orderBy('seq', 'desc')
          .limit(limit + 1);
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
        return toPage((await q.execute()).map(presentEvent), limit);
      });
    },

    /**
     * Deletes events older than the retention, across accounts (a scheduled job), in batches.
     * The newest event of each object is kept whatever its age: the next event of that object
     * then continues its `object_sequence` instead of starting again at 1.
     */
    async purgeExpired(retentionDays: number = MIN_EVENT_RETENTION_DAYS): Promise<number> {
      const days = Math.max(retentionDays, MIN_EVENT_RETENTION_DAYS);
      const cutoff = new Date(clock.now().getTime() - days * 86_400_000);
      let purged = 0;
      for (;;) {
        const deleted = await database.withSystem(async (trx) =>
          Number(
            (
              await sql`
                DELETE FROM events WHERE (account_id, id) IN (
                  SELECT e.account_id, e.id FROM events e
                   WHERE e.created_at < ${cutoff}
                     AND EXISTS (SELECT 1 FROM events n WHERE n.account_id = e.account_id AND n.object_id = e.object_id AND n.object_sequence > e.object_sequence)
                   LIMIT ${PURGE_BATCH})`.execute(trx)
            ).numAffectedRows ?? 0,
          ),
        );
        purged += deleted;
        if (deleted < PURGE_BATCH) return purged;
      }
    },

    get(actor: Actor, id: string): Promise<Event> {
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await trx.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) throw notFound('event', id);
        return presentEvent(row);
      });
    },
  };
}

/** Events are kept this long at least (the floor, and the default of EVENT_RETENTION_DAYS). */
export const MIN_EVENT_RETENTION_DAYS = 30;
const PURGE_BATCH = 5_000;

export type EventService = ReturnType<typeof createEventService>;
