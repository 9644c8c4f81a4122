import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { PaymentPlanInstallments, PaymentPlans } from '../../store/db-types.ts';
import type {
  InstallmentStatus,
  PaymentPlan,
  PaymentPlanListQuery,
  PaymentPlanStatus,
  PlanLateFees,
} from './payment-plan.schemas.ts';

export type PlanRow = Selectable<PaymentPlans>;
export type InstallmentRow = Selectable<PaymentPlanInstallments>;

export function presentPlan(row: PlanRow, installments: readonly InstallmentRow[]): PaymentPlan {
  const mine = installments.filter((i) => i.plan_id === row.id).toSorted((a, b) => a.number - b.number);
  return {
    id: row.id,
    object: 'payment_plan',
    invoice_id: row.invoice_id,
    status: row.status as PaymentPlanStatus,
    currency: row.currency,
    amount: row.amount,
    amount_paid: mine.reduce((n, i) => n + i.paid_amount, 0),
    max_missed_installments: row.max_missed_installments,
    missed_count: row.missed_count,
    late_fees: row.late_fees as PlanLateFees,
    installments: mine.map((i) => ({
      number: i.number,
      due_date: i.due_date,
      amount: i.amount,
      paid_amount: i.paid_amount,
      status: i.status as InstallmentStatus,
      paid_at: i.paid_at?.toISOString() ?? null,
      missed_at: i.missed_at?.toISOString() ?? null,
    })),
    note: row.note,
    cancellation_reason: row.cancellation_reason,
    metadata: row.metadata as Record<string, string>,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    ended_at: row.ended_at?.toISOString() ?? null,
  };
}

export const findPlan = (trx: Db, id: string, options: { forUpdate?: boolean } = {}) => {
  const q = trx.selectFrom('payment_plans').selectAll().where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
};

export const installmentsOf = async (trx: Db, planIds: readonly string[]): Promise<InstallmentRow[]> =>
  planIds.length === 0
    ? []
    : trx
        .selectFrom('payment_plan_installments')
        .selectAll()
        .where('plan_id', 'in', planIds)
        .orderBy('plan_id')
        .orderBy('number')
        .execute();

/** One page of plans, newest first, filtered. */
export function listPlans(trx: Db, query: PaymentPlanListQuery) {
  const limit = query.limit ?? 20;
  let q = trx
    .selectFrom('payment_plans')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (query.starting_after) q = q.where('id', '<', query.starting_after);
  if (query.invoice_id) q = q.where('invoice_id', '=', query.invoice_id);
  if (query.status) q = q.where('status', '=', query.status);
  return q.execute();
}
