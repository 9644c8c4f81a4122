/**
 * What happens to an active plan inside other use cases' transactions: payments landing on its
 * invoice, installments passing their date unpaid (the workers' tick), the invoice closing.
 * Every function expects the invoice row to be locked by the caller, and writes its events.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Database, Db } from '../../store/database.ts';
import { recordEvent } from '../outbox/index.ts';
import { type InvoiceRow, owesNothing } from '../invoices/index.ts';
import type { ReplanInvoices } from '../shared/index.ts';
import { findPlan, installmentsOf, type PlanRow, presentPlan } from './payment-plan.repository.ts';
import { installmentStatus, spreadOverInstallments } from './payment-plan.rules.ts';
import type { PaymentPlanStatus } from './payment-plan.schemas.ts';

export interface PlanContext {
  accountId: string;
  timeZone: string;
  now: Date;
  today: string;
  /** Replans the invoice's reminders (see `ReplanInvoices`). */
  replan: ReplanInvoices;
}

/**
 * Ends an active plan (`completed`, `breached` or `cancelled`): the invoice no longer points at
 * it and is replanned on its own policy, and the event `payment_plan.<status>` is written.
 */
export async function endPlan(
  trx: Db,
  ctx: PlanContext,
  plan: PlanRow,
  status: Exclude<PaymentPlanStatus, 'active'>,
  reason: string | null = null,
) {
  const row = await trx
    .updateTable('payment_plans')
    .set({
      status,
      ended_at: ctx.now,
      ended_on: ctx.today,
      updated_at: ctx.now,
      ...(status === 'cancelled' && { cancellation_reason: reason }),
    })
    .where('id', '=', plan.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('invoices')
    // Late fees are brought up to date at the next tick, even one later today.
    .set({ active_payment_plan_id: null, late_fees_accrued_on: null, updated_at: ctx.now })
    .where('id', '=', plan.invoice_id)
    .where('active_payment_plan_id', '=', plan.id)
    .execute();
  await ctx.replan(trx, {
    accountId: ctx.accountId,
    invoiceIds: [plan.invoice_id],
    timeZone: ctx.timeZone,
    now: ctx.now,
  });
  const presented = presentPlan(row, await installmentsOf(trx, [plan.id]));
  await recordEvent(trx, {
    accountId: ctx.accountId,
    type: `payment_plan.${status}`,
    objectType: 'payment_plan',
    objectId: plan.id,
    data: presented,
    at: ctx.now,
  });
  return presented;
}

/**
 * After payments or credits changed invoices (rows as updated, locked by the caller): the
 * installments of their active plans are recomputed from what the invoice received since the
 * plan started, oldest installment first — so a reversal undoes installment payments exactly.
 * An installment paid in full loses its reminders (replan); all paid completes the plan.
 */
export async function syncPlansAfterPayments(
  trx: Db,
  ctx: PlanContext,
  invoices: readonly InvoiceRow[],
): Promise<void> {
  for (const invoice of invoices) {
    if (invoice.active_payment_plan_id === null) continue;
    const plan = await findPlan(trx, invoice.active_payment_plan_id, { forUpdate: true });
    if (plan?.status !== 'active') continue;
    const installments = await installmentsOf(trx, [plan.id]);
    const received = invoice.amount_paid + invoice.amount_credited - plan.settled_at_start;
    let changed = false;
    for (const { number, paid_amount } of spreadOverInstallments(received, installments)) {
      const current = installments.find((i) => i.number === number);
      if (!current || current.paid_amount === paid_amount) continue;
      const status = installmentStatus(current, paid_amount);
      await trx
        .updateTable('payment_plan_installments')
        .set({ paid_amount, status, paid_at: status === 'paid' ? (current.paid_at ?? ctx.now) : null })
        .where('plan_id', '=', plan.id)
        .where('number', '=', number)
        .execute();
      Object.assign(current, { paid_amount, status });
      changed = true;
    }
    // A paid invoice ends its plan, even when the installments do not show it all (a fee waived).
    const settled = invoice.status === 'paid' || invoice.balance <= 0;
    if (!changed && !settled) continue;
    await trx.updateTable('payment_plans').set({ updated_at: ctx.now }).where('id', '=', plan.id).execute();
    if (settled || installments.every((i) => i.status === 'paid')) await endPlan(trx, ctx, plan, 'completed');
    else
      await ctx.replan(trx, {
        accountId: ctx.accountId,
        invoiceIds: [invoice.id],
        timeZone: ctx.timeZone,
        now: ctx.now,
      });
  }
}

/** When an invoice is voided or written off, its active plan (if any) is cancelled with that reason. */
export async function cancelPlanOfClosedInvoice(
  trx: Db,
  ctx: PlanContext,
  invoice: Pick<InvoiceRow, 'active_payment_plan_id' | 'status'>,
): Promise<void> {
  if (invoice.active_payment_plan_id === null) return;
  const plan = await findPlan(trx, invoice.active_payment_plan_id, { forUpdate: true });
  if (plan?.status === 'active') await endPlan(trx, ctx, plan, 'cancelled', `invoice_${invoice.status}`);
}

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

/**
 * The workers' daily check on the candidates found by {@link missedInstallmentCandidates}: every
 * installment of an active plan whose date passed without being paid in full becomes `missed`
 * (once, with `payment_plan.installment_missed`); a plan that reaches its limit of missed
 * installments is `breached` and its invoice goes back to its own policy (and late fees resume).
 * Returns how many installments were marked missed.
 */
export async function markMissedInstallments(
  database: Database,
  candidates: readonly MissedCandidate[],
  now: Date,
  replan: ReplanInvoices,
): Promise<number> {
  let missed = 0;
  for (const [accountId, rows] of Map.groupBy(candidates, (r) => r.account_id)) {
    await database.withAccount(accountId, async (trx) => {
      for (const row of rows) {
        const ctx = { accountId, timeZone: row.time_zone, now, today: row.today, replan };
        // The invoice first, then the plan: the order payments take them in.
        const invoice = await trx
          .selectFrom('invoices')
          .select(['status', 'balance'])
          .where('id', '=', row.invoice_id)
          .forUpdate()
          .executeTakeFirst();
        const plan = await findPlan(trx, row.plan_id, { forUpdate: true });
        if (!invoice || !plan || plan.status !== 'active') continue;
        // Nothing is owed any more (a fee waived, a credit): the plan is over, nothing is missed.
        if (owesNothing(invoice)) {
          await endPlan(trx, ctx, plan, 'completed');
          continue;
        }
        // The update is the arbiter: a concurrent tick marks nothing twice.
        const marked = await trx
          .updateTable('payment_plan_installments')
          .set({ status: 'missed', missed_at: now })
          .where('plan_id', '=', plan.id)
          .where('status', '=', 'pending')
          .where('due_date', '<', row.today)
          .returning('number')
          .execute();
        if (marked.length === 0) continue;
        missed += marked.length;
        const updated = await trx
          .updateTable('payment_plans')
          .set((eb) => ({ missed_count: eb('missed_count', '+', marked.length), updated_at: now }))
          .where('id', '=', plan.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        const installments = await installmentsOf(trx, [plan.id]);
        const presented = presentPlan(updated, installments);
        for (const { number } of marked.toSorted((a, b) => a.number - b.number)) {
          const installment = presented.installments.find((i) => i.number === number);
          await recordEvent(trx, {
            accountId,
            type: 'payment_plan.installment_missed',
            objectType: 'payment_plan',
            objectId: plan.id,
            data: { ...presented, installment },
            at: now,
          });
        }
        if (updated.missed_count >= updated.max_missed_installments) await endPlan(trx, ctx, updated, 'breached');
      }
    });
  }
  return missed;
}
