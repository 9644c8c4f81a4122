import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { CHASED_STATUSES } from '../invoices/index.ts';
import { PLAN_DIGEST_SQL } from './reminder-occurrence.repository.ts';

// The retention's scan of every account's invoices and its purge of their settled reminders,
// with the caller's transaction (the system's) first.

/** The next `limit` invoices of any account after `after`, in (account, id) order, whatever their state. */
export function invoicesAfter(trx: Db, after: { account: string; id: string }, limit: number) {
  return trx
    .selectFrom('invoices')
    .select(['account_id', 'id', 'status'])
    .where(sql<boolean>`(account_id, id) > (${after.account}, ${after.id})`)
    .orderBy('account_id')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Locks those of these invoices still closed and unchanged since `cutoff`, skipping those held elsewhere. */
export function lockClosedInvoices(trx: Db, closed: ReadonlyArray<{ account_id: string; id: string }>, cutoff: Date) {
  return trx
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
}

/**
 * Deletes the reminders of these (locked) invoices once none is still to come and none was
 * settled or scheduled since `cutoff`, keeps the plan keys of those not canceled as the
 * invoice's tombstone, and deletes their events older than `eventCutoff`. Returns the counts.
 */
export async function purgeRemindersOfInvoices(
  trx: Db,
  locked: ReadonlyArray<{ account_id: string; id: string }>,
  at: { cutoff: Date; eventCutoff: Date; now: Date },
) {
  const { cutoff, eventCutoff, now } = at;
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
}
