import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { CHASED_STATUSES_SQL } from '../invoices/index.ts';

// The scheduler's scans and marks on invoices (announcements, daily late fees), with the
// caller's transaction first. Each scan covers the accounts in scope (`inScope`, over `accounts a`).

/**
 * Invoices of the accounts in scope not yet announced overdue (due before the account's today)
 * or due soon (due within `dueSoonDays`), read from the partial indexes of those not announced.
 */
export async function invoicesToAnnounce(trx: Db, inScope: RawBuilder<boolean>, now: Date, dueSoonDays: number) {
  return (
    await sql<{ account_id: string; id: string; time_zone: string; kind: 'overdue' | 'due_soon' }>`
        SELECT i.account_id, i.id, a.time_zone, i.kind
          FROM (SELECT a.id, a.time_zone, (${now}::timestamptz AT TIME ZONE a.time_zone)::date AS today FROM accounts a WHERE ${inScope}) a
         CROSS JOIN LATERAL (
           (SELECT i.account_id, i.id, 'overdue' AS kind FROM invoices i
             WHERE i.account_id = a.id AND i.status IN (${CHASED_STATUSES_SQL}) AND i.balance > 0 AND i.overdue_notified_at IS NULL
               AND i.due_date < a.today
             LIMIT 5000)
           UNION ALL
           (SELECT i.account_id, i.id, 'due_soon' AS kind FROM invoices i
             WHERE i.account_id = a.id AND i.status IN (${CHASED_STATUSES_SQL}) AND i.balance > 0 AND i.overdue_notified_at IS NULL AND i.due_soon_notified_at IS NULL
               AND i.due_date >= a.today AND i.due_date <= a.today + ${dueSoonDays}::int
             LIMIT 5000)) i
         LIMIT 5000`.execute(trx)
  ).rows;
}

/**
 * Marks invoices announced (`overdue` also counts as due soon) unless they already are: the
 * condition makes the update the arbiter, so a concurrent pass announces nothing twice.
 * Returns the invoices marked.
 */
export function markInvoicesAnnounced(trx: Db, ids: string[], kind: 'overdue' | 'due_soon', now: Date) {
  const column = kind === 'overdue' ? 'overdue_notified_at' : 'due_soon_notified_at';
  return trx
    .updateTable('invoices')
    .set({
      [column]: now,
      ...(kind === 'overdue' && { due_soon_notified_at: sql`coalesce(due_soon_notified_at, ${now})` }),
    })
    .where('id', 'in', ids)
    .where(column, 'is', null)
    .returningAll()
    .execute();
}

/**
 * The overdue invoices of the accounts in scope whose late fees are not yet brought up to the
 * account's today, with that day. `greatest(late_fees_accrued_on, due_date)` is the last day
 * already accounted for: the partial index `invoices_late_fees_next` holds each account's open
 * invoices by it, so the range before the account's today is exactly the invoices to bring up to date.
 */
export async function invoicesWithLateFeesDue(trx: Db, inScope: RawBuilder<boolean>, now: Date) {
  return (
    await sql<{ account_id: string; id: string; today: string }>`
        SELECT i.account_id, i.id, to_char(a.today, 'YYYY-MM-DD') AS today
          FROM (SELECT a.id, (${now}::timestamptz AT TIME ZONE a.time_zone)::date AS today FROM accounts a WHERE ${inScope}) a
         CROSS JOIN LATERAL (
           SELECT i.account_id, i.id FROM invoices i
            WHERE i.account_id = a.id AND i.status IN (${CHASED_STATUSES_SQL}) AND i.balance > 0
              AND greatest(i.late_fees_accrued_on, i.due_date) < a.today
            LIMIT 2000) i
         LIMIT 2000`.execute(trx)
  ).rows;
}

/** Records the day up to which an invoice's late fees are accounted for. */
export async function setLateFeesAccruedOn(trx: Db, accountId: string, invoiceId: string, day: string): Promise<void> {
  await trx
    .updateTable('invoices')
    .set({ late_fees_accrued_on: day })
    .where('account_id', '=', accountId)
    .where('id', '=', invoiceId)
    .execute();
}
