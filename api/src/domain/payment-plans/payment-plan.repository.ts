import { type Insertable, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { PaymentPlanInstallments, PaymentPlans } from '../../store/db-types.ts';
import { type ReplanInvoices, keysetPage } from '../shared/index.ts';
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

/** One installment of a plan, with how many installments the plan has (`count`), as a reminder of it shows them. */
export const installmentWithCount = (trx: Db, planId: string, number: number | null) =>
  trx
    .selectFrom('payment_plan_installments')
    .select([
      'number',
      'due_date',
      'amount',
      'paid_amount',
      (eb) =>
        eb
          .selectFrom('payment_plan_installments as all')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('all.plan_id', '=', 'payment_plan_installments.plan_id')
          .as('count'),
    ])
    .where('plan_id', '=', planId)
    .where('number', '=', number)
    .executeTakeFirst();

/** One page of plans, newest first, filtered. */
export function listPlans(trx: Db, query: PaymentPlanListQuery) {
  let q = keysetPage(trx.selectFrom('payment_plans').selectAll(), query);
  if (query.invoice_id) q = q.where('invoice_id', '=', query.invoice_id);
  if (query.status) q = q.where('status', '=', query.status);
  return q.execute();
}

export const insertPlan = (trx: Db, values: Insertable<PaymentPlans>) =>
  trx.insertInto('payment_plans').values(values).returningAll().executeTakeFirstOrThrow();

export const insertInstallments = (trx: Db, values: readonly Insertable<PaymentPlanInstallments>[]) =>
  trx.insertInto('payment_plan_installments').values(values).returningAll().execute();

/** Ends a plan as `status` (a cancelled one with its reason). */
export const closePlan = (
  trx: Db,
  id: string,
  end: { status: Exclude<PaymentPlanStatus, 'active'>; reason: string | null; now: Date; today: string },
) =>
  trx
    .updateTable('payment_plans')
    .set({
      status: end.status,
      ended_at: end.now,
      ended_on: end.today,
      updated_at: end.now,
      ...(end.status === 'cancelled' && { cancellation_reason: end.reason }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

export const touchPlan = (trx: Db, id: string, now: Date) =>
  trx.updateTable('payment_plans').set({ updated_at: now }).where('id', '=', id).execute();

/** What an installment has received, and its status after it. */
export const setInstallmentPaid = (
  trx: Db,
  planId: string,
  number: number,
  values: { paid_amount: number; status: string; paid_at: Date | null },
) =>
  trx
    .updateTable('payment_plan_installments')
    .set({ paid_amount: values.paid_amount, status: values.status, paid_at: values.paid_at })
    .where('plan_id', '=', planId)
    .where('number', '=', number)
    .execute();

/** Marks missed the pending installments of a plan due before `today`; their numbers. The update is the arbiter: a concurrent tick marks nothing twice. */
export const markInstallmentsMissed = (trx: Db, planId: string, today: string, now: Date) =>
  trx
    .updateTable('payment_plan_installments')
    .set({ status: 'missed', missed_at: now })
    .where('plan_id', '=', planId)
    .where('status', '=', 'pending')
    .where('due_date', '<', today)
    .returning('number')
    .execute();

/** Counts `count` more missed installments on a plan. */
export const addMissed = (trx: Db, id: string, count: number, now: Date) =>
  trx
    .updateTable('payment_plans')
    .set((eb) => ({ missed_count: eb('missed_count', '+', count), updated_at: now }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

export interface MissedCandidate {
  account_id: string;
  plan_id: string;
  invoice_id: string;
  time_zone: string;
  today: string;
  /** Replans the invoice's reminders (see `ReplanInvoices`). */
  replan: ReplanInvoices;
}

/**
 * Active plans, in the accounts `inScope` selects (alias `a`), with an installment whose date
 * passed in the account's time zone while it is still pending. Read in the caller's system
 * transaction (the tick reads it with its other daily scans, in one round trip).
 */
export async function missedInstallmentCandidates(
  trx: Db,
  inScope: RawBuilder<boolean>,
  now: Date,
): Promise<MissedCandidate[]> {
  return (
    await sql<MissedCandidate>`
      SELECT DISTINCT p.account_id, p.id AS plan_id, p.invoice_id, a.time_zone,
             to_char((${now}::timestamptz AT TIME ZONE a.time_zone)::date, 'YYYY-MM-DD') AS today
        FROM payment_plan_installments x
        JOIN payment_plans p ON p.account_id = x.account_id AND p.id = x.plan_id
        JOIN accounts a ON a.id = p.account_id
       WHERE ${inScope} AND x.status = 'pending' AND p.status = 'active'
         AND x.due_date < (${now}::timestamptz AT TIME ZONE a.time_zone)::date
         -- A constant bound (the latest date on Earth) lets the range of the partial index stop there.
         AND x.due_date < (${now}::timestamptz AT TIME ZONE 'Etc/GMT-14')::date
       LIMIT 2000`.execute(trx)
  ).rows;
}
