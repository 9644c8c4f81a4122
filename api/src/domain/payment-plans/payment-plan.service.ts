import type { Clock } from '../../clock.ts';
import { AppError, notFound, validationFailed } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { isUniqueViolation } from '../../store/pg-errors.ts';
import { parseInput } from '../../validation.ts';
import { compareDates } from '../calendar.ts';
import { recordEvent } from '../outbox/index.ts';
import { attachPlan, CHASED_STATUSES, findInvoice, type InvoiceRow, owesNothing } from '../invoices/index.ts';
import { accountTime, type Actor, assertWriteAccess, type Page, type ReplanInvoices, toPage } from '../shared/index.ts';
import { endPlan } from './payment-plan.lifecycle.ts';
import {
  findPlan,
  insertInstallments,
  insertPlan,
  installmentsOf,
  listPlans,
  presentPlan,
} from './payment-plan.repository.ts';
import { checkInstallments, type InstallmentDraft, invalidDates, splitMonthly } from './payment-plan.rules.ts';
import {
  DEFAULT_MAX_MISSED,
  type PaymentPlan,
  PaymentPlanCancel,
  PaymentPlanCreate,
  PaymentPlanListQuery,
} from './payment-plan.schemas.ts';

const alreadyActive = (invoiceId: string, planId?: string) =>
  new AppError(
    'payment_plan/already_active',
    409,
    `Invoice '${invoiceId}' already has an active payment plan${planId ? ` ('${planId}')` : ''}; cancel it first.`,
  );

/** Why an invoice cannot take a plan (paid, closed, disputed, already on one), or null. */
export function planRefusal(invoice: {
  id: string;
  status: string;
  balance: number;
  disputed: boolean;
  active_payment_plan_id: string | null;
}): AppError | null {
  if (owesNothing(invoice)) {
    return new AppError(
      'payment_plan/invoice_paid',
      409,
      `Invoice '${invoice.id}' is paid: there is nothing left to split.`,
    );
  }
  if (!CHASED_STATUSES.includes(invoice.status)) {
    return new AppError(
      'payment_plan/invoice_not_open',
      409,
      `Invoice '${invoice.id}' is ${invoice.status}: only open and partially paid invoices take a payment plan.`,
    );
  }
  if (invoice.disputed)
    return new AppError(
      'payment_plan/invoice_disputed',
      409,
      `Invoice '${invoice.id}' is disputed: resolve the dispute before agreeing on a payment plan.`,
    );
  if (invoice.active_payment_plan_id) return alreadyActive(invoice.id, invoice.active_payment_plan_id);
  return null;
}

/**
 * Agrees a plan for the whole balance of an invoice the caller locked, in its transaction (the
 * API's, or a customer's request from its page, or a person approving that request): explicit
 * installments, or `count` equal monthly ones from `first_due_date`. Writes `payment_plan.created`.
 */
export async function agreePlanIn(
  trx: Db,
  ctx: { accountId: string; timeZone: string; now: Date; today: string; replan: ReplanInvoices },
  invoice: InvoiceRow,
  data: PaymentPlanCreate,
): Promise<PaymentPlan> {
  const { now, today, replan } = ctx;
  const refused = planRefusal(invoice);
  if (refused) throw refused;
  const amount = invoice.balance;
  let drafts: InstallmentDraft[];
  if (data.installments !== undefined) {
    drafts = checkInstallments(amount, data.installments, today);
  } else {
    const first = data.first_due_date as string;
    if (compareDates(first, today) < 0) throw invalidDates('/first_due_date', `must be today (${today}) or later`);
    drafts = splitMonthly(amount, data.count as number, first);
  }
  const id = newId('paymentPlan');
  const row = await insertPlan(trx, {
    account_id: ctx.accountId,
    id,
    invoice_id: invoice.id,
    status: 'active',
    currency: invoice.currency,
    amount,
    settled_at_start: invoice.amount_paid + invoice.amount_credited,
    max_missed_installments: data.max_missed_installments ?? DEFAULT_MAX_MISSED,
    late_fees: data.late_fees ?? 'suspended',
    note: data.note ?? null,
    metadata: JSON.stringify(data.metadata ?? {}),
    started_on: today,
    created_at: now,
    updated_at: now,
  });
  const installments = await insertInstallments(
    trx,
    drafts.map((d) => ({
      account_id: ctx.accountId,
      plan_id: id,
      number: d.number,
      due_date: d.due_date,
      amount: d.amount,
      status: 'pending',
    })),
  );
  await attachPlan(trx, invoice.id, id, now);
  // Reminders now follow the installments.
  await replan(trx, { accountId: ctx.accountId, invoiceIds: [invoice.id], timeZone: ctx.timeZone, now });
  const plan = presentPlan(row, installments);
  await recordEvent(trx, {
    accountId: ctx.accountId,
    type: 'payment_plan.created',
    objectType: 'payment_plan',
    objectId: id,
    data: plan,
    at: now,
  });
  return plan;
}

/**
 * Payment plans (échéancier): an invoice's balance split into dated installments. While a plan
 * is active its invoice is reminded per installment, late fees are suspended (unless the plan
 * says `accrue`), payments go to the installments oldest first, and missed installments can
 * breach it. See docs/payment-plans.md.
 */
export function createPaymentPlanService(deps: { database: Database; clock: Clock; replan: ReplanInvoices }) {
  const { database, clock, replan } = deps;
  const timeFor = accountTime(database, clock);

  return {
    /**
     * Agrees a plan on an open or partially paid invoice for its whole balance: explicit
     * installments, or `count` equal monthly ones from `first_due_date` (remainder on the last).
     */
    async create(actor: Actor, invoiceId: string, input: PaymentPlanCreate): Promise<PaymentPlan> {
      assertWriteAccess(actor);
      const data = parseInput<PaymentPlanCreate>(PaymentPlanCreate, input);
      const explicit = data.installments !== undefined;
      const monthly = data.count !== undefined || data.first_due_date !== undefined;
      if (explicit === monthly) {
        throw validationFailed([
          { field: '/installments', message: 'give either installments, or count with first_due_date' },
        ]);
      }
      if (monthly && (data.count === undefined || data.first_due_date === undefined)) {
        const field = data.count === undefined ? '/count' : '/first_due_date';
        throw validationFailed([{ field, message: 'is required with the monthly form (count and first_due_date)' }]);
      }
      const { now, today } = await timeFor(actor);
      try {
        return await database.withAccount(actor.accountId, async (trx) => {
          const invoice = await findInvoice(trx, invoiceId, { forUpdate: true });
          if (!invoice) throw notFound('invoice', invoiceId);
          return await agreePlanIn(
            trx,
            { accountId: actor.accountId, timeZone: actor.timeZone, now, today, replan },
            invoice,
            data,
          );
        });
      } catch (error) {
        // Two plans raced for the same invoice: the second is told, as if it came after.
        if (isUniqueViolation(error, 'payment_plans_one_active')) throw alreadyActive(invoiceId);
        throw error;
      }
    },

    /** Ends an active plan: the invoice goes back to its own reminder policy and late fees resume. */
    async cancel(actor: Actor, id: string, input: PaymentPlanCancel = {}): Promise<PaymentPlan> {
      assertWriteAccess(actor);
      const data = parseInput<PaymentPlanCancel>(PaymentPlanCancel, input);
      const { now, today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const peek = await findPlan(trx, id);
        if (!peek) throw notFound('payment_plan', id);
        // The invoice first, then the plan: the order payments and the workers take them in.
        await findInvoice(trx, peek.invoice_id, { forUpdate: true });
        const plan = await findPlan(trx, id, { forUpdate: true });
        if (!plan) throw notFound('payment_plan', id);
        if (plan.status !== 'active')
          throw new AppError(
            'payment_plan/not_active',
            409,
            `Payment plan '${id}' is ${plan.status}; only an active plan can be cancelled.`,
          );
        return endPlan(
          trx,
          { accountId: actor.accountId, timeZone: actor.timeZone, now, today, replan },
          plan,
          'cancelled',
          data.reason ?? null,
        );
      });
    },

    /** A plan with its installments. */
    get(actor: Actor, id: string): Promise<PaymentPlan> {
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await findPlan(trx, id);
        if (!row) throw notFound('payment_plan', id);
        return presentPlan(row, await installmentsOf(trx, [row.id]));
      });
    },

    /** Plans newest first, filtered by invoice and status. */
    list(actor: Actor, input: PaymentPlanListQuery): Promise<Page<PaymentPlan>> {
      const query = parseInput<PaymentPlanListQuery>(PaymentPlanListQuery, input);
      return database.withAccount(actor.accountId, async (trx) => {
        const rows = await listPlans(trx, query);
        const installments = await installmentsOf(
          trx,
          rows.map((r) => r.id),
        );
        return toPage(
          rows.map((r) => presentPlan(r, installments)),
          query.limit ?? 20,
        );
      });
    },
  };
}

export type PaymentPlanService = ReturnType<typeof createPaymentPlanService>;
