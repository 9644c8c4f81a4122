import type { Clock } from '../../clock.ts';
import { AppError, notFound, validationFailed } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { recordEvent } from '../outbox/index.ts';
import { changeAmountPaid, type InvoiceRow, lockInvoices, presentInvoice } from '../invoices/index.ts';
import { syncPlansAfterPayments } from '../payment-plans/index.ts';
import { confirmClaimsAfterPayment } from '../claims/index.ts';
import {
  accountTime,
  type Actor,
  assertWriteAccess,
  type Page,
  type ReleaseRemindersSkippedAsPaid,
  type ReplanInvoices,
  toPage,
} from '../shared/index.ts';
import {
  type AllocationRow,
  allocationsOf,
  findPayingCustomer,
  findPayment,
  insertAllocations,
  insertPayment,
  listPayments,
  lockPayableInvoicesOf,
  markPaymentReversed,
  type PaymentRow,
  presentPayment,
  reverseAllocationsOf,
  setUnallocated,
  writePaymentIfAllowed,
} from './payment.repository.ts';
import { type Allocation, allocateOldestDueFirst, checkAllocations, statusAfterPayments } from './payment.rules.ts';
import {
  type Payment,
  PaymentApplyCredit,
  PaymentCreate,
  PaymentListQuery,
  PaymentReverse,
} from './payment.schemas.ts';

const alreadyReversed = (id: string) =>
  new AppError(
    'payment/already_reversed',
    409,
    `Payment '${id}' is reversed; nothing of it can be allocated or reversed again.`,
  );

export interface Context {
  actor: Actor;
  now: Date;
  today: string;
  /** Replans the reminders of the invoices a payment changes (see `ReplanInvoices`). */
  replan: ReplanInvoices;
  /** The day the money was received (the payment's `received_on`): the collection date reported. */
  receivedOn?: string;
}

/**
 * Writes allocations of a payment to invoices locked by the caller: the allocation rows, each
 * invoice's amount paid and state, `invoice.partially_paid` / `invoice.paid`, and a replan of
 * those now paid (their pending reminders are skipped). Returns the allocation rows.
 */
async function allocate(
  trx: Db,
  ctx: Context,
  paymentId: string,
  allocations: readonly Allocation[],
  locked: ReadonlyMap<string, InvoiceRow>,
): Promise<AllocationRow[]> {
  if (allocations.length === 0) return [];
  const { actor, now, today, replan } = ctx;
  const rows = await insertAllocations(
    trx,
    allocations.map((a) => ({
      account_id: actor.accountId,
      id: newId('paymentAllocation'),
      payment_id: paymentId,
      invoice_id: a.invoice_id,
      amount: a.amount,
      created_at: now,
    })),
  );
  const invoiceIds = allocations.map((a) => a.invoice_id).toSorted();
  const amounts = new Map(allocations.map((a) => [a.invoice_id, a.amount]));
  // A schedule depends on the due date and the policy, not on the balance: only an invoice that
  // is now paid needs a replan (its pending reminders are skipped); the guard checks balances.
  const settled: string[] = [];
  const onPlan: InvoiceRow[] = [];
  for (const invoiceId of invoiceIds) {
    const invoice = locked.get(invoiceId);
    if (!invoice) throw new Error(`unreachable: invoice ${invoiceId} was locked`);
    const amount = amounts.get(invoiceId) ?? 0;
    const status = statusAfterPayments({
      status: invoice.status,
      amount_paid: invoice.amount_paid + amount,
      balance: invoice.balance - amount,
    });
    const updated = await changeAmountPaid(trx, invoiceId, { op: '+', amount, status, now });
    if (status === 'paid') settled.push(invoiceId);
    if (updated.einvoice_status !== null) {
      // France 2026: the seller reports the money received (212 Encaissée) to its platform.
      await recordEvent(trx, {
        accountId: actor.accountId,
        type: 'invoice.collected',
        objectType: 'invoice',
        objectId: invoiceId,
        data: {
          object: 'invoice_collection',
          invoice_id: invoiceId,
          payment_id: paymentId,
          amount,
          currency: updated.currency,
          collected_on: ctx.receivedOn ?? today,
          report_code: 212,
          invoice_number: updated.number,
        },
        at: now,
      });
    }
    if (updated.active_payment_plan_id !== null) onPlan.push(updated);
    const type = status === 'paid' ? 'invoice.paid' : 'invoice.partially_paid';
    await recordEvent(trx, {
      accountId: actor.accountId,
      type,
      objectType: 'invoice',
      objectId: invoiceId,
      data: presentInvoice(updated, today),
      at: now,
    });
  }
  // Installments take the money oldest first; a plan fully paid is completed.
  await syncPlansAfterPayments(
    trx,
    { accountId: actor.accountId, timeZone: actor.timeZone, now, today, replan },
    onPlan,
  );
  // The customer said it paid one of these: the payment confirms the claim.
  await confirmClaimsAfterPayment(
    trx,
    { accountId: actor.accountId, timeZone: actor.timeZone, now, replan },
    paymentId,
    invoiceIds,
  );
  await replan(trx, { accountId: actor.accountId, invoiceIds: settled, timeZone: actor.timeZone, now });
  return rows;
}

/**
 * Records a payment in the caller's transaction (already validated): explicit allocations, or
 * oldest due first unless `auto_allocate: false`; the rest is the customer's credit. Writes
 * `payment.received`. Bank reconciliation confirms its matches through this.
 */
export async function recordPayment(trx: Db, ctx: Context, data: PaymentCreate): Promise<Payment> {
  const { actor, now, today } = ctx;
  const customer = await findPayingCustomer(trx, data.customer_id);
  if (!customer) throw notFound('customer', data.customer_id);
  let locked: InvoiceRow[] = [];
  let split: { allocations: Allocation[]; unallocated: number } = { allocations: [], unallocated: data.amount };
  if (data.allocations !== undefined) {
    locked = await lockInvoices(trx, [...new Set(data.allocations.map((a) => a.invoice_id))]);
    split = checkAllocations(
      { customer_id: data.customer_id, currency: data.currency, available: data.amount },
      data.allocations,
      new Map(locked.map((i) => [i.id, i])),
    );
  } else if (data.auto_allocate !== false) {
    locked = await lockPayableInvoicesOf(trx, data.customer_id, data.currency);
    split = allocateOldestDueFirst(data.amount, locked);
  }
  const paymentId = newId('payment');
  const row = await insertPayment(trx, {
    account_id: actor.accountId,
    id: paymentId,
    customer_id: data.customer_id,
    amount: data.amount,
    currency: data.currency,
    received_on: data.received_on ?? today,
    method: data.method,
    reference: data.reference ?? null,
    status: 'succeeded',
    unallocated: split.unallocated,
    metadata: JSON.stringify(data.metadata ?? {}),
    created_at: now,
    updated_at: now,
  });
  const allocations = await allocate(
    trx,
    { ...ctx, receivedOn: row.received_on },
    paymentId,
    split.allocations,
    new Map(locked.map((i) => [i.id, i])),
  );
  const payment = presentPayment(row, allocations);
  await recordEvent(trx, {
    accountId: actor.accountId,
    type: 'payment.received',
    objectType: 'payment',
    objectId: paymentId,
    data: payment,
    at: now,
  });
  return payment;
}

/**
 * The usual integration, a payment for one invoice, in one round trip (see the repository):
 * one statement writes everything if the allocation rules let the payment in. Returns
 * undefined, having written nothing, whenever the locking path must decide instead: an invoice
 * not found, another customer's or currency, not payable, without enough balance, under a
 * payment plan or a payment claim, or an event about it committed meanwhile (that path reports any refusal
 * exactly as always).
 */
async function createWithOneAllocation(
  database: Database,
  actor: Actor,
  data: PaymentCreate,
  time: { now: Date; today: string },
): Promise<Payment | undefined> {
  const { now, today } = time;
  const [requested] = data.allocations ?? [];
  if (!requested || requested.amount > data.amount) return undefined;
  const paymentId = newId('payment');
  const paymentRow: PaymentRow = {
    account_id: actor.accountId,
    id: paymentId,
    customer_id: data.customer_id,
    amount: data.amount,
    currency: data.currency,
    received_on: data.received_on ?? today,
    method: data.method,
    reference: data.reference ?? null,
    status: 'succeeded',
    reversal_reason: null,
    reversed_at: null,
    unallocated: data.amount - requested.amount,
    metadata: data.metadata ?? {},
    created_at: now,
    updated_at: now,
  };
  const allocationRow: AllocationRow = {
    account_id: actor.accountId,
    id: newId('paymentAllocation'),
    payment_id: paymentId,
    invoice_id: requested.invoice_id,
    amount: requested.amount,
    reversed: false,
    created_at: now,
    reversed_at: null,
  };
  const payment = presentPayment(paymentRow, [allocationRow]);
  const written = await writePaymentIfAllowed(database.pool, {
    accountId: actor.accountId,
    invoiceId: requested.invoice_id,
    amount: requested.amount,
    customerId: data.customer_id,
    currency: data.currency,
    now,
    today,
    payment: paymentRow,
    allocationId: allocationRow.id,
    paymentEvent: payment,
    eventIds: [newId('event'), newId('event')],
  });
  return written ? payment : undefined;
}

/**
 * Payments received from customers, allocated to their invoices. Every change runs in one
 * transaction with the invoices' rows locked (in id order), so two payments never take the same
 * balance twice and no reminder leaves after a payment commits.
 */
export function createPaymentService(deps: {
  database: Database;
  clock: Clock;
  replan: ReplanInvoices;
  /** The reminders module's `releaseRemindersSkippedAsPaid`: a reversal makes reopened invoices' skipped reminders plannable again. */
  releaseRemindersSkippedAsPaid: ReleaseRemindersSkippedAsPaid;
  fastPaths?: boolean;
}) {
  const { database, clock, replan, releaseRemindersSkippedAsPaid } = deps;
  const fastPaths = deps.fastPaths ?? true;
  const timeFor = accountTime(database, clock);

  const withAllocations = async (trx: Db, row: PaymentRow): Promise<Payment> =>
    presentPayment(row, await allocationsOf(trx, [row.id]));

  return {
    /**
     * Records a payment of a customer. `allocations` names the invoices and amounts; without
     * them the payment goes to the customer's open invoices oldest due first (unless
     * `auto_allocate: false`). What is left is the customer's credit on this payment.
     */
    async create(actor: Actor, input: PaymentCreate): Promise<Payment> {
      assertWriteAccess(actor);
      const data = parseInput<PaymentCreate>(PaymentCreate, input);
      if (data.allocations !== undefined && data.auto_allocate === true) {
        throw validationFailed([{ field: '/auto_allocate', message: 'cannot be true with explicit allocations' }]);
      }
      const { now, today } = await timeFor(actor);
      if (fastPaths && data.allocations?.length === 1) {
        const payment = await createWithOneAllocation(database, actor, data, { now, today });
        if (payment) return payment;
      }
      return database.withAccount(actor.accountId, (trx) => recordPayment(trx, { actor, now, today, replan }, data));
    },

    /** Allocates what is left of a payment (the customer's credit) to invoices of the same customer and currency. */
    async applyCredit(actor: Actor, id: string, input: PaymentApplyCredit): Promise<Payment> {
      assertWriteAccess(actor);
      const data = parseInput<PaymentApplyCredit>(PaymentApplyCredit, input);
      const { now, today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        // The payment first, then its invoices: the order reversal takes them in too.
        const current = await findPayment(trx, id, { forUpdate: true });
        if (!current) throw notFound('payment', id);
        if (current.status === 'reversed') throw alreadyReversed(id);
        const locked = await lockInvoices(trx, [...new Set(data.allocations.map((a) => a.invoice_id))]);
        const lockedById = new Map(locked.map((i) => [i.id, i]));
        const split = checkAllocations(
          { customer_id: current.customer_id, currency: current.currency, available: current.unallocated },
          data.allocations,
          lockedById,
        );
        await allocate(
          trx,
          { actor, now, today, replan, receivedOn: current.received_on },
          id,
          split.allocations,
          lockedById,
        );
        const row = await setUnallocated(trx, id, split.unallocated, now);
        const payment = await withAllocations(trx, row);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'payment.credit_applied',
          objectType: 'payment',
          objectId: id,
          data: payment,
          at: now,
        });
        return payment;
      });
    },

    /**
     * Reverses a payment (bounced transfer, refund): its allocations are undone, the invoices owe
     * again (a paid one becomes partially paid or open) and their reminders are planned again;
     * its remaining credit is gone.
     */
    async reverse(actor: Actor, id: string, input: PaymentReverse): Promise<Payment> {
      assertWriteAccess(actor);
      const data = parseInput<PaymentReverse>(PaymentReverse, input);
      const { now, today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const current = await findPayment(trx, id, { forUpdate: true });
        if (!current) throw notFound('payment', id);
        if (current.status === 'reversed') throw alreadyReversed(id);
        const inForce = (await allocationsOf(trx, [id])).filter((a) => !a.reversed);
        const undo = new Map<string, number>();
        for (const a of inForce) undo.set(a.invoice_id, (undo.get(a.invoice_id) ?? 0) + a.amount);
        const locked = await lockInvoices(trx, [...undo.keys()]);
        const reopened: string[] = [];
        const onPlan: InvoiceRow[] = [];
        for (const invoice of locked) {
          const amount = undo.get(invoice.id) ?? 0;
          const status = statusAfterPayments({
            status: invoice.status,
            amount_paid: invoice.amount_paid - amount,
            balance: invoice.balance + amount,
          });
          const updated = await changeAmountPaid(trx, invoice.id, { op: '-', amount, status, now });
          if (updated.active_payment_plan_id !== null) onPlan.push(updated);
          if (invoice.status === 'paid' && status !== 'paid') {
            reopened.push(invoice.id);
            await recordEvent(trx, {
              accountId: actor.accountId,
              type: 'invoice.reopened',
              objectType: 'invoice',
              objectId: invoice.id,
              data: presentInvoice(updated, today),
              at: now,
            });
          }
        }
        if (inForce.length > 0) await reverseAllocationsOf(trx, id, now);
        const row = await markPaymentReversed(trx, id, data.reason, now);
        await releaseRemindersSkippedAsPaid(trx, reopened, now);
        await syncPlansAfterPayments(
          trx,
          { accountId: actor.accountId, timeZone: actor.timeZone, now, today, replan },
          onPlan,
        );
        await replan(trx, {
          accountId: actor.accountId,
          invoiceIds: locked.map((i) => i.id),
          timeZone: actor.timeZone,
          now,
        });
        const payment = await withAllocations(trx, row);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'payment.reversed',
          objectType: 'payment',
          objectId: id,
          data: payment,
          at: now,
        });
        return payment;
      });
    },

    /** A payment with its allocations. */
    get(actor: Actor, id: string): Promise<Payment> {
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await findPayment(trx, id);
        if (!row) throw notFound('payment', id);
        return withAllocations(trx, row);
      });
    },

    /** Payments newest first, with their allocations, filtered by customer, invoice, status and date received. */
    list(actor: Actor, input: PaymentListQuery): Promise<Page<Payment>> {
      const query = parseInput<PaymentListQuery>(PaymentListQuery, input);
      return database.withAccount(actor.accountId, async (trx) => {
        const rows = await listPayments(trx, query);
        const allocations = await allocationsOf(
          trx,
          rows.map((r) => r.id),
        );
        return toPage(
          rows.map((r) => presentPayment(r, allocations)),
          query.limit ?? 20,
        );
      });
    },
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;
