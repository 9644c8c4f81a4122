import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import type { Database } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { type Actor, type Page, pageSize, toPage } from '../shared/index.ts';
import { findEvent, listEvents, presentEvent, purgeEventsBefore } from './event.repository.ts';
import { type Event, EventListQuery } from './event.schemas.ts';

/** The outbox as the API shows it: every change of the account, newest first. */
export function createEventService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  return {
    /** Events newest first (in the order they were written), filtered by type, object and time. */
    list(actor: Actor, input: EventListQuery): Promise<Page<Event>> {
      const query = parseInput<EventListQuery>(EventListQuery, input);
      return database.withAccount(actor.accountId, async (trx) =>
        toPage((await listEvents(trx, query)).map(presentEvent), pageSize(query)),
      );
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
        const deleted = await database.withSystem((trx) => purgeEventsBefore(trx, cutoff, PURGE_BATCH));
        purged += deleted;
        if (deleted < PURGE_BATCH) return purged;
      }
    },

    get(actor: Actor, id: string): Promise<Event> {
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await findEvent(trx, id);
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
