import { sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../store/database.ts';
import { CHASED_STATUSES } from '../invoices/index.ts';
import { PLAN_DIGEST_SQL } from './reminder-occurrence.repository.ts';

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
        const window = await database.withSystem((trx) =>
          trx
            .selectFrom('invoices')
            .select(['account_id', 'id', 'status'])
            .where(sql<boolean>`(account_id, id) > (${after.account}, ${after.id})`)
            .orderBy('account_id')
            .orderBy('id')
            .limit(SCAN_BATCH)
            .execute(),
        );
        const last = window.at(-1);
        if (!last) return total;
        after = { account: last.account_id, id: last.id };
        const closed = window.filter((i) => i.status !== 'draft' && !CHASED_STATUSES.includes(i.status));
        if (closed.length > 0) {
          const purged = await database.withSystem(async (trx) => {
            // Under the invoice's lock, as a reversal replans it: still closed, then purged.
            const locked = await trx
              .selectFrom('invoices')
              .select(['account_id', 'id'])
              .where(
                sql<boolean>`(account_id, id) IN (SELECT * FROM unnest(${closed.map((i) => i.account_id)}::text[], ${closed.map((i) => i.id)}::text[]))`,
              )
              .where('status', 'not in', [...CHASED_STATUSES, 'draft'])
              .where('updated_at', '<', cutoff)
              .forUpdate()
              .skipLocked()
              .execute();
            if (locked.length === 0) return null;
            const { rows } = await sql<{ invoices: number; reminders: number; tombstones: number; events: number }>`
              WITH target AS (
                SELECT * FROM unnest(${locked.map((i) => i.account_id)}::text[], ${locked.map((i) => i.id)}::text[]) AS t(acct, inv)
              ), kept AS (
                SELECT DISTINCT o.account_id, o.invoice_id FROM reminder_occurrences o JOIN target t ON o.account_id = t.acct AND o.invoice_id = t.inv
                 WHERE o.status IN ('scheduled', 'held', 'sending') OR o.updated_at >= ${cutoff} OR o.scheduled_at >= ${cutoff}
              ), gone AS (
                DELETE FROM reminder_occurrences o USING target t
                 WHERE o.account_id = t.acct AND o.invoice_id = t.inv
                   AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.account_id = o.account_id AND k.invoice_id = o.invoice_id)
                RETURNING o.account_id, o.invoice_id, o.id, o.status, ${PLAN_DIGEST_SQL} AS digest
              ), tombs AS (
                INSERT INTO reminder_plan_tombstones AS r (account_id, invoice_id, digests, purged_at)
                SELECT account_id, invoice_id, array_agg(digest), ${now}::timestamptz FROM gone WHERE status <> 'canceled' GROUP BY 1, 2
                ON CONFLICT (account_id, invoice_id) DO UPDATE SET digests = r.digests || excluded.digests, purged_at = excluded.purged_at
              ), events_gone AS (
                DELETE FROM events e USING gone g
                 WHERE e.account_id = g.account_id AND e.object_id = g.id AND e.created_at < ${eventCutoff}
                RETURNING 1
              )
              SELECT (SELECT count(DISTINCT (account_id, invoice_id)) FROM gone)::int AS invoices,
                     (SELECT count(*) FROM gone)::int AS reminders,
                     (SELECT count(*) FROM gone WHERE status <> 'canceled')::int AS tombstones,
                     (SELECT count(*) FROM events_gone)::int AS events`.execute(trx);
            return rows[0] ?? null;
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
