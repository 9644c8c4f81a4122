/**
 * What happens to an active plan inside other use cases' transactions: payments landing on its
 * invoice, installments passing their date unpaid (the workers' tick), the invoice closing.
 * Every function expects the invoice row to be locked by the caller, and writes its events.
 */
import type { Database, Db } from '../../store/database.ts';
import { recordEvent } from '../outbox/index.ts';
import { detachPlan, type InvoiceRow, lockInvoiceBalance, owesNothing } from '../invoices/index.ts';
import type { ReplanInvoices } from '../shared/index.ts';
import {
  addMissed,
  closePlan,
  findPlan,
  installmentsOf,
  markInstallmentsMissed,
  type MissedCandidate,
  type PlanRow,
  presentPlan,
  setInstallmentPaid,
  touchPlan,
} from './payment-plan.repository.ts';
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
  const row = await closePlan(trx, plan.id, { status, reason, now: ctx.now, today: ctx.today });
  await detachPlan(trx, plan.invoice_id, plan.id, ctx.now);
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
      await setInstallmentPaid(trx, plan.id, number, {
        paid_amount,
        status,
        paid_at: status === 'paid' ? (current.paid_at ?? ctx.now) : null,
      });
      Object.assign(current, { paid_amount, status });
      changed = true;
    }
    // A paid invoice ends its plan, even when the installments do not show it all (a fee waived).
    const settled = invoice.status === 'paid' || invoice.balance <= 0;
    if (!changed && !settled) continue;
    await touchPlan(trx, plan.id, ctx.now);
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
        const invoice = await lockInvoiceBalance(trx, row.invoice_id);
        const plan = await findPlan(trx, row.plan_id, { forUpdate: true });
        if (!invoice || !plan || plan.status !== 'active') continue;
        // Nothing is owed any more (a fee waived, a credit): the plan is over, nothing is missed.
        if (owesNothing(invoice)) {
          await endPlan(trx, ctx, plan, 'completed');
          continue;
        }
        const marked = await markInstallmentsMissed(trx, plan.id, row.today, now);
        if (marked.length === 0) continue;
        missed += marked.length;
        const updated = await addMissed(trx, plan.id, marked.length, now);
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
