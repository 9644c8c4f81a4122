import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { CHASED_STATUSES_SQL, queueForReplan } from '../shared/index.ts';
import type { CustomerRisk, RiskLevel, RiskReason } from './risk.schemas.ts';

// A customer's risk is kept on its row (`customers.risk_*`); the thresholds on the account's.

export type RiskRow = {
  id: string;
  risk_level: string;
  risk_reasons: unknown;
  risk_assessed_at: Date | null;
  risk_override_level: string | null;
  risk_override_reason: string | null;
  risk_override_at: Date | null;
};

const RISK_COLUMNS = [
  'id',
  'risk_level',
  'risk_reasons',
  'risk_assessed_at',
  'risk_override_level',
  'risk_override_reason',
  'risk_override_at',
] as const;

export function presentRisk(row: RiskRow): CustomerRisk {
  const assessed = row.risk_level as RiskLevel;
  const override =
    row.risk_override_level !== null && row.risk_override_at !== null
      ? {
          level: row.risk_override_level as RiskLevel,
          reason: row.risk_override_reason ?? '',
          set_at: row.risk_override_at.toISOString(),
        }
      : null;
  return {
    object: 'customer_risk',
    customer_id: row.id,
    level: override?.level ?? assessed,
    assessed_level: assessed,
    reasons: (row.risk_reasons ?? []) as RiskReason[],
    assessed_at: row.risk_assessed_at?.toISOString() ?? null,
    override,
  };
}

/** The account's own risk thresholds, as stored (partial, or null for the defaults). */
export const riskThresholdsOf = async (trx: Db, accountId: string) =>
  (await trx.selectFrom('accounts').select('risk_thresholds').where('id', '=', accountId).executeTakeFirst())
    ?.risk_thresholds;

/** Locks the risk of these customers (in id order) to assess it again. */
export const lockRisks = (trx: Db, accountId: string, ids: readonly string[]) =>
  trx
    .selectFrom('customers')
    .select(RISK_COLUMNS)
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();

/** Locks one customer's risk, to overrule it. */
export const lockRisk = (trx: Db, accountId: string, customerId: string) =>
  trx
    .selectFrom('customers')
    .select(RISK_COLUMNS)
    .where('account_id', '=', accountId)
    .where('id', '=', customerId)
    .forUpdate()
    .executeTakeFirst();

/** The stored risk of these customers, as last assessed. */
export const storedRisks = (trx: Db, accountId: string, ids: readonly string[]) =>
  trx.selectFrom('customers').select(RISK_COLUMNS).where('account_id', '=', accountId).where('id', 'in', ids).execute();

/** Stores the assessed levels of a batch of customers, due again `reassessAfter` (an interval) from `now`. One statement. */
export async function storeAssessments(
  trx: Db,
  accountId: string,
  assessed: readonly { row: RiskRow; updated: RiskRow }[],
  options: { now: Date; reassessAfter: string },
) {
  const { now, reassessAfter } = options;
  await sql`
        UPDATE customers c
           SET risk_level = a.level, risk_reasons = a.reasons, risk_assessed_at = ${now},
               risk_due_at = ${now}::timestamptz + ${sql.lit(reassessAfter)}::interval
          FROM unnest(${assessed.map((a) => a.row.id)}::text[], ${assessed.map((a) => a.updated.risk_level)}::text[],
                      ${assessed.map((a) => JSON.stringify(a.updated.risk_reasons))}::jsonb[]) AS a(id, level, reasons)
         WHERE c.account_id = ${accountId} AND c.id = a.id`.execute(trx);
}

export const storeOverride = (
  trx: Db,
  accountId: string,
  customerId: string,
  override: Pick<RiskRow, 'risk_override_level' | 'risk_override_reason' | 'risk_override_at'>,
) =>
  trx
    .updateTable('customers')
    .set({
      risk_override_level: override.risk_override_level,
      risk_override_reason: override.risk_override_reason,
      risk_override_at: override.risk_override_at,
    })
    .where('account_id', '=', accountId)
    .where('id', '=', customerId)
    .execute();

/**
 * With policies by rule, the level may choose the customer's policy: its open invoices that
 * follow no policy of their own (nor the customer's) are queued for the workers to replan.
 */
export async function flagInvoicesForPolicyByRisk(trx: Db, accountId: string, customerId: string, now: Date) {
  await queueForReplan(sql`
    SELECT i.account_id, i.id, ${now}::timestamptz
      FROM invoices i, accounts a, customers c
     WHERE a.id = ${accountId} AND a.policy_rules IS NOT NULL
       AND c.account_id = ${accountId} AND c.id = ${customerId} AND c.reminder_policy_id IS NULL
       AND i.account_id = ${accountId} AND i.customer_id = ${customerId}
       AND i.status IN (${CHASED_STATUSES_SQL}) AND i.reminder_policy_id IS NULL`).execute(trx);
}

/**
 * Up to `limit` customers, across accounts (a system transaction), whose next assessment is due
 * at `now` in the accounts `inScope` selects (a condition on `accounts a`), oldest due first,
 * through the index on `risk_due_at`.
 */
export async function customersDueForRisk(trx: Db, scope: { now: Date; inScope: RawBuilder<boolean>; limit: number }) {
  return (
    await sql<{ account_id: string; id: string; mode: 'live' | 'test'; time_zone: string }>`
            SELECT c.account_id, c.id, a.mode, a.time_zone
              FROM customers c JOIN accounts a ON a.id = c.account_id
             WHERE c.risk_due_at <= ${scope.now} AND ${scope.inScope}
             ORDER BY c.risk_due_at
             LIMIT ${sql.lit(scope.limit)}`.execute(trx)
  ).rows;
}
