import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { CHASED_STATUSES_SQL } from '../invoices/index.ts';
import { queueForReplan } from '../shared/index.ts';
import { policyIdOf } from './policy.repository.ts';
import { anyText } from './reminder-occurrence.repository.ts';

// The planner's reads and writes on the invoices it plans (with their customers, accounts and
// payment plan installments), with the caller's transaction first.

/**
 * The invoices to plan, with what planning needs: state, due date, payment plan, the policy
 * they follow, whose public holidays apply, and the plan keys purged by the retention.
 *
 * What it reads is the batch, whatever the account's size: the statement walks the batch's ids
 * and reaches each invoice, its customer and its tombstone by key. The `OFFSET 0` subqueries
 * stay subqueries run per invoice; without them PostgreSQL chose, by its estimates, to scan the
 * account's invoices (20,000 read for a batch of 500) and hash all its customers, a cost that
 * grew with the account rather than with the batch.
 */
export async function invoicesToPlan(trx: Db, accountId: string, invoiceIds: string[]) {
  const { rows } = await sql<{
    id: string;
    status: string;
    due_date: string;
    balance: number;
    active_payment_plan_id: string | null;
    purged_digests: string[] | null;
    holiday_country: string | null;
    holiday_region: string | null;
    policy_id: string | null;
  }>`
    SELECT i.id, i.status, i.due_date, i.balance, i.active_payment_plan_id,
           -- The plan keys of reminders purged by the retention (sent, skipped or failed): never planned again.
           (SELECT t.digests FROM reminder_plan_tombstones t WHERE t.account_id = i.account_id AND t.invoice_id = i.id)
             AS purged_digests,
           -- Whose public holidays apply: the customer's country, else the account's.
           coalesce(c.billing_address->>'country', a.billing_address->>'country') AS holiday_country,
           CASE WHEN c.billing_address->>'country' IS NOT NULL THEN c.billing_address->>'region'
                ELSE a.billing_address->>'region' END AS holiday_region,
           ${policyIdOf({ invoice: 'i', customer: 'c', account: 'a' })} AS policy_id
      FROM unnest(${[...new Set(invoiceIds)]}::text[]) AS batch(id)
     CROSS JOIN LATERAL (SELECT * FROM invoices WHERE account_id = ${accountId} AND id = batch.id OFFSET 0) i
     CROSS JOIN LATERAL (SELECT * FROM customers WHERE account_id = i.account_id AND id = i.customer_id OFFSET 0) c
      JOIN accounts a ON a.id = ${accountId}`.execute(trx);
  return rows;
}

/** The installments still unpaid of these payment plans, in order. */
export function unpaidInstallmentsOfPlans(trx: Db, planIds: string[]) {
  return trx
    .selectFrom('payment_plan_installments')
    .select(['plan_id', 'number', 'due_date'])
    .where('plan_id', 'in', planIds)
    .where('status', '<>', 'paid')
    .orderBy('number')
    .execute();
}

/**
 * Takes invoices off the planner's queue (`invoice_replans`) before they are replanned: a flag
 * written after this, while they are planned, stays for the next pass.
 */
export async function unqueueInvoices(trx: Db, accountId: string, invoiceIds: readonly string[]): Promise<void> {
  await trx
    .deleteFrom('invoice_replans')
    .where('account_id', '=', accountId)
    .where('invoice_id', '=', anyText(invoiceIds))
    .execute();
}

/** Which of these invoices are on the planner's queue, waiting for a replan. */
export async function invoicesQueuedForReplan(
  trx: Db,
  accountId: string,
  invoiceIds: readonly string[],
): Promise<Set<string>> {
  if (invoiceIds.length === 0) return new Set();
  const rows = await trx
    .selectFrom('invoice_replans')
    .select('invoice_id')
    .where('account_id', '=', accountId)
    .where('invoice_id', '=', anyText(invoiceIds))
    .execute();
  return new Set(rows.map((r) => r.invoice_id));
}

/**
 * Marks every policy of the account for a replan of the open invoices it now applies to, with
 * their count, in one pass over the account's open invoices: after its policy rules changed,
 * an invoice may follow another policy, whose replan (by the workers, in batches) picks it up.
 */
export async function markPoliciesForReplan(trx: Db, accountId: string): Promise<void> {
  await sql`
    WITH counts AS (
      SELECT ${policyIdOf({ invoice: 'i', customer: 'c', account: 'a' })} AS policy_id, count(*)::int AS n
        FROM invoices i JOIN customers c ON c.account_id = i.account_id AND c.id = i.customer_id
        JOIN accounts a ON a.id = i.account_id
       WHERE i.account_id = ${accountId} AND a.id = ${accountId} AND i.status IN (${CHASED_STATUSES_SQL})
       GROUP BY 1)
    UPDATE reminder_policies p
       SET replan_after = '', invoices_to_replan = coalesce((SELECT n FROM counts WHERE counts.policy_id = p.id), 0)
     WHERE p.account_id = ${accountId}`.execute(trx);
}

/** The open invoices a policy applies to (its own, their customer's, or the account default): what a change replans. */
export async function countInvoicesOfPolicy(trx: Db, accountId: string, policyId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n
      FROM invoices i JOIN customers c ON c.account_id = i.account_id AND c.id = i.customer_id
      JOIN accounts a ON a.id = i.account_id
     WHERE i.account_id = ${accountId} AND a.id = ${accountId} AND i.status IN (${CHASED_STATUSES_SQL})
       AND ${policyIdOf({ invoice: 'i', customer: 'c', account: 'a' })} = ${policyId}`.execute(trx);
  return rows[0]?.n ?? 0;
}

/**
 * Queues for the planner the next `limit` open invoices a policy applies to, in id order after
 * `after`. Returns the ids queued (fewer than `limit`: the last batch).
 */
export async function flagNextInvoicesOfPolicy(
  trx: Db,
  args: { accountId: string; policyId: string; after: string; limit: number; now: Date },
): Promise<string[]> {
  const { accountId, policyId, after, limit, now } = args;
  const { rows } = await sql<{ id: string }>`
    WITH batch AS (
      SELECT i.id
        FROM invoices i JOIN customers c ON c.account_id = i.account_id AND c.id = i.customer_id
        JOIN accounts a ON a.id = i.account_id
       WHERE i.account_id = ${accountId} AND a.id = ${accountId} AND i.id > ${after} AND i.status IN (${CHASED_STATUSES_SQL})
         AND ${policyIdOf({ invoice: 'i', customer: 'c', account: 'a' })} = ${policyId}
       ORDER BY i.id
       LIMIT ${limit}),
    queued AS (${queueForReplan(sql`SELECT ${accountId}, id, ${now} FROM batch`)})
    SELECT id FROM batch ORDER BY id`.execute(trx);
  return rows.map((r) => r.id);
}

/** The accounts in scope (`inScope`, over `accounts a`) with invoices queued for planning. */
export async function accountsWithInvoicesToPlan(trx: Db, inScope: RawBuilder<boolean>) {
  return (
    await sql<{ id: string; time_zone: string }>`
        SELECT a.id, a.time_zone FROM accounts a
         WHERE ${inScope} AND EXISTS (SELECT 1 FROM invoice_replans r WHERE r.account_id = a.id)`.execute(trx)
  ).rows;
}

/**
 * Locks up to `limit` invoices of the account queued for planning whose ids come after `after`,
 * with their queue rows, skipping those another connection holds; returns their ids, sorted. The
 * invoice's row lock is the one every writer that replans an invoice takes first; the queue
 * row's makes a flag written meanwhile wait until the batch is planned (`REPLAN_ON_CONFLICT`).
 *
 * `after` is the pass's cursor: the last id an earlier batch of the pass took. A planned
 * invoice's queue row is deleted, but a deleted row stays in the table and in its index until
 * VACUUM passes, so a pick that started from the beginning of the account's queue walked every
 * row the pass had already planned. On the 1,000,000-invoice account of `npm run bench:book`,
 * PostgreSQL read the queue sequentially once its statistics counted the account's rows, from 3
 * to 7 ms a pick early in the account's 240,000 invoices to 14 ms by the end. The cursor's range
 * starts past them.
 *
 * The range is read through the queue's primary key, in order, whatever the statistics say:
 * with those of an empty queue, as ANALYZE finds it between passes, PostgreSQL chose to read and
 * sort the account's whole queue for every batch. The statement runs with sequential scans,
 * bitmap scans and sorts disabled (`set_config(…, true)`: for this transaction, set back right
 * after), which leaves the index scan as the one plan.
 */
export async function lockNextInvoicesToPlan(
  trx: Db,
  accountId: string,
  after: string,
  limit: number,
): Promise<{ ids: string[]; last: string | null }> {
  await allowPlansOtherThanTheKey(trx, 'off');
  // `last` is the cursor for the next batch, the greatest id in the database's own collation.
  const { rows } = await sql<{ invoice_id: string; last: string }>`
    WITH picked AS (
      SELECT q.invoice_id
        FROM (SELECT invoice_id FROM invoice_replans WHERE account_id = ${accountId} AND invoice_id > ${after}
               ORDER BY invoice_id
               LIMIT ${limit}
                 FOR UPDATE SKIP LOCKED) q
        JOIN invoices i ON i.account_id = ${accountId} AND i.id = q.invoice_id
         FOR UPDATE OF i SKIP LOCKED)
    SELECT invoice_id, (SELECT max(invoice_id) FROM picked) AS last FROM picked`.execute(trx);
  await allowPlansOtherThanTheKey(trx, 'on');
  return { ids: rows.map((r) => r.invoice_id).sort(), last: rows[0]?.last ?? null };
}

/** Turns off (for the pick), then on again, the plans it must not use: a scan of the whole queue, or a sort of it. */
async function allowPlansOtherThanTheKey(trx: Db, value: 'on' | 'off'): Promise<void> {
  const settings = ['enable_seqscan', 'enable_bitmapscan', 'enable_sort'];
  await sql`SELECT ${sql.join(settings.map((name) => sql`set_config(${name}, ${value}, true)`))}`.execute(trx);
}
