import type { Clock } from '../../clock.ts';
import type { Database } from '../../store/database.ts';
import { CHASED_STATUSES } from '../invoices/index.ts';
import { invoicesAfter, lockClosedInvoices, purgeRemindersOfInvoices } from './retention.repository.ts';

/** Invoices looked at per transaction (in key order), whatever their state: each batch is bounded. */
const SCAN_BATCH = 2_000;
/** Reminders are kept this long at least: the contact budget and the catch-up look back a few weeks. */
export const MIN_REMINDER_RETENTION_DAYS = 30;

export interface ReminderPurge {
  /** Invoices whose reminders were deleted. */
  invoices: number;
  /** Reminders deleted. */
  reminders: number;
  /** Plan keys kept as tombstones (the reminders sent, skipped or failed). */
  tombstones: number;
  /** Events about those reminders deleted. */
  events: number;
}

/**
 * The retention of settled reminders (REMINDER_RETENTION_DAYS, docs/operations.md#retention).
 * A closed invoice (paid, void, uncollectible) unchanged since the cutoff loses its reminders
 * once none is still to come and the last was settled and scheduled before the cutoff; the
 * events about them go too, once past the events' own retention. The plan keys of those sent, skipped or failed stay as the
 * invoice's tombstone: a payment reversed later replans only the steps never acted on, so no
 * purged reminder is sent a second time (`replanInvoices` reads it). Canceled ones leave no
 * tombstone: a replan would have scheduled them again anyway.
 */
export function createReminderRetention(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  return {
    /**
     * One pass over every account's invoices in key order, `SCAN_BATCH` at a time, each batch in
     * its own transaction: the invoices it purges are locked (a reversal waits, or is skipped
     * until the next pass).
     */
    async purge(args: { retentionDays: number; eventRetentionDays: number }): Promise<ReminderPurge> {
      const now = clock.now();
      const days = Math.max(args.retentionDays, MIN_REMINDER_RETENTION_DAYS);
      const cutoff = new Date(now.getTime() - days * 86_400_000);
      const eventCutoff = new Date(now.getTime() - args.eventRetentionDays * 86_400_000);
      const total: ReminderPurge = { invoices: 0, reminders: 0, tombstones: 0, events: 0 };
      let after = { account: '', id: '' };
      for (;;) {
        const window = await database.withSystem((trx) => invoicesAfter(trx, after, SCAN_BATCH));
        const last = window.at(-1);
        if (!last) return total;
        after = { account: last.account_id, id: last.id };
        const closed = window.filter((i) => i.status !== 'draft' && !CHASED_STATUSES.includes(i.status));
        if (closed.length > 0) {
          const purged = await database.withSystem(async (trx) => {
            // Under the invoice's lock, as a reversal replans it: still closed, then purged.
            const locked = await lockClosedInvoices(trx, closed, cutoff);
            if (locked.length === 0) return null;
            return purgeRemindersOfInvoices(trx, locked, { cutoff, eventCutoff, now });
          });
          if (purged) {
            total.invoices += purged.invoices;
            total.reminders += purged.reminders;
            total.tombstones += purged.tombstones;
            total.events += purged.events;
          }
        }
        if (window.length < SCAN_BATCH) return total;
      }
    },
  };
}

export type ReminderRetention = ReturnType<typeof createReminderRetention>;
