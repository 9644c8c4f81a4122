import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { CHASED_STATUSES_SQL } from '../invoices/index.ts';
import { policyIdOf } from './policy.repository.ts';
import { anyText } from './reminder-occurrence.repository.ts';

// The planner's reads and writes on the invoices it plans (with their customers, accounts and
// payment plan installments), with the caller's transaction first.

/**
 * The invoices to plan, with what planning needs: state, due date, payment plan, the policy
 * they follow, whose public holidays apply, and the plan keys purged by the retention.
 */
export function invoicesToPlan(trx: Db, accountId: string, invoiceIds: string[]) {
  return (
    trx
      .selectFrom('invoices')
      .innerJoin('customers', 'customers.id', 'invoices.customer_id')
      .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
      // The plan keys of reminders purged by the retention (sent, skipped or failed): never planned again.
      .leftJoin('reminder_plan_tombstones as purged', (j) =>
        j.onRef('purged.account_id', '=', 'invoices.account_id').onRef('purged.invoice_id', '=', 'invoices.id'),
      )
      .select([
        'invoices.id',
        'purged.digests as purged_digests',
        'invoices.status',
        'invoices.due_date',
        'invoices.balance',
        'invoices.active_payment_plan_id',
        // Whose public holidays apply: the customer's country, else the account's.
        sql<string | null>`coalesce(customers.billing_address->>'country', accounts.billing_address->>'country')`.as(
          'holiday_country',
        ),
        sql<
          string | null
        >`CASE WHEN customers.billing_address->>'country' IS NOT NULL THEN customers.billing_address->>'region' ELSE accounts.billing_address->>'region' END`.as(
          'holiday_region',
        ),
        policyIdOf({ invoice: 'invoices', customer: 'customers', account: 'accounts' }).as('policy_id'),
      ])
      .where('invoices.account_id', '=', accountId)
      .where('invoices.id', '=', anyText(invoiceIds))
      .execute()
  );
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

/** Clears the planner's flag on invoices just planned. */
export async function clearNeedsReplan(trx: Db, accountId: string, invoiceIds: string[]): Promise<void> {
  await trx
    .updateTable('invoices')
    .set({ needs_replan: false })
    .where('account_id', '=', accountId)
    .where('id', '=', anyText(invoiceIds))
    .where('needs_replan', '=', true)
    .execute();
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
 * Flags the next `limit` open invoices a policy applies to, in id order after `after`, so the
 * planner replans them. Returns the ids flagged (fewer than `limit`: the last batch).
 */
export async function flagNextInvoicesOfPolicy(
  trx: Db,
  args: { accountId: string; policyId: string; after: string; limit: number },
): Promise<string[]> {
  const { accountId, policyId, after, limit } = args;
  const { rows } = await sql<{ id: string }>`
    WITH batch AS (
      SELECT i.id, i.needs_replan
        FROM invoices i JOIN customers c ON c.account_id = i.account_id AND c.id = i.customer_id
        JOIN accounts a ON a.id = i.account_id
       WHERE i.account_id = ${accountId} AND a.id = ${accountId} AND i.id > ${after} AND i.status IN (${CHASED_STATUSES_SQL})
         AND ${policyIdOf({ invoice: 'i', customer: 'c', account: 'a' })} = ${policyId}
       ORDER BY i.id
       LIMIT ${limit}),
    flagged AS (
      UPDATE invoices i SET needs_replan = true FROM batch
       WHERE i.account_id = ${accountId} AND i.id = batch.id AND NOT batch.needs_replan)
    SELECT id FROM batch ORDER BY id`.execute(trx);
  return rows.map((r) => r.id);
}

/** The accounts in scope (`inScope`, over `accounts a`) with invoices flagged for planning. */
export async function accountsWithInvoicesToPlan(trx: Db, inScope: RawBuilder<boolean>) {
  return (
    await sql<{ id: string; time_zone: string }>`
        SELECT a.id, a.time_zone FROM accounts a
         WHERE ${inScope} AND EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.needs_replan)`.execute(
      trx,
    )
  ).rows;
}

/**
 * Locks the next `limit` invoices of the account flagged for planning after `after`, in id
 * order, skipping those another connection holds; returns their ids.
 */
export async function lockNextInvoicesToPlan(trx: Db, accountId: string, after: string, limit: number) {
  return (
    await trx
      .selectFrom('invoices')
      .select('id')
      .where('account_id', '=', accountId)
      .where('needs_replan', '=', true)
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute()
  ).map((r) => r.id);
}
