import type { RawBuilder } from 'kysely';
import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { isUniqueViolation } from '../../store/pg-errors.ts';
import { parseInput } from '../../validation.ts';
import { addDays, compareDates } from '../calendar.ts';
import { CHASED_STATUSES, findInvoice } from '../invoices/index.ts';
import { formatMoney } from '../money.ts';
import { recordEvent } from '../outbox/index.ts';
import { assertInvoiceStatus } from '../pauses/index.ts';
import {
  accountTime,
  type Actor,
  assertWriteAccess,
  type Page,
  pageSize,
  type ReplanInvoices,
  toPage,
} from '../shared/index.ts';
import { completeTaskIn, openTaskIn } from '../tasks/index.ts';
import {
  claimHoldDaysOf,
  endClaimRow,
  expiredClaimCandidates,
  findClaim,
  holdInvoice,
  insertClaim,
  listClaims,
  openClaimsOf,
  type PaymentClaimRow,
  presentClaim,
} from './payment-claim.repository.ts';
import {
  type PaymentClaim,
  PaymentClaimCreate,
  PaymentClaimListQuery,
  PaymentClaimReject,
  type PaymentClaimSource,
  type PaymentClaimStatus,
} from './payment-claim.schemas.ts';

interface ClaimContext {
  accountId: string;
  timeZone: string;
  now: Date;
  replan: ReplanInvoices;
}

const alreadyOpen = () =>
  new AppError(
    'payment_claim/already_open',
    409,
    'A payment claim on this invoice is already being checked: it is confirmed by recording the payment, or rejected.',
  );

/**
 * Records the customer's word that it paid an invoice, in the caller's transaction: the invoice is
 * locked as the sender locks it, its reminders wait until the account's `payment_claim_hold_days`
 * have passed (the guard defers them, reason `payment_claim`), and a `payment_claim` task asks a
 * person to check the bank. Writes `payment_claim.created` and `task.created`.
 */
export async function claimPaymentIn(
  trx: Db,
  ctx: {
    accountId: string;
    now: Date;
    today: string;
    source: PaymentClaimSource;
    /** The hold's last day, when the source says (an e-invoicing 211's `hold_days`); else the account's `payment_claim_hold_days` from today. */
    holdUntil?: string;
  },
  data: PaymentClaimCreate,
): Promise<PaymentClaim> {
  const { accountId, now, today } = ctx;
  const invoice = await findInvoice(trx, data.invoice_id, { forUpdate: true });
  if (!invoice) throw notFound('invoice', data.invoice_id);
  assertInvoiceStatus(invoice.status, CHASED_STATUSES, 'claim a payment on');
  if (data.currency !== undefined && data.currency !== invoice.currency)
    throw new AppError('payment_claim/currency_mismatch', 422, `The invoice is in ${invoice.currency}.`, {
      errors: [{ field: '/currency', message: `must be the invoice's currency, ${invoice.currency}` }],
    });
  if (compareDates(data.paid_on, today) > 0)
    throw new AppError(
      'payment_claim/paid_on_future',
      422,
      `A payment already made is dated today (${today}) or earlier.`,
      {
        errors: [{ field: '/paid_on', message: `must be on or before ${today}` }],
      },
    );
  const open = await openClaimsOf(trx, accountId, [invoice.id]);
  if (open.length > 0) throw alreadyOpen();
  const holdUntil = ctx.holdUntil ?? addDays(today, await claimHoldDaysOf(trx, accountId));
  const id = newId('paymentClaim');
  const said = `${formatMoney(data.amount, invoice.currency, 'en')} on ${data.paid_on}${data.reference ? ` (reference ${data.reference})` : ''}`;
  const task = await openTaskIn(trx, {
    accountId,
    kind: 'payment_claim',
    invoiceId: invoice.id,
    customerId: invoice.customer_id,
    dueOn: today,
    now,
    note: `The customer says it paid ${said}. Record the payment when it is found (the claim is then confirmed), or reject the claim (POST /v1/payment_claims/${id}/reject); reminders wait until ${holdUntil}.${data.note ? `\n${data.note}` : ''}`,
  });
  const row = await insertClaim(trx, {
    account_id: accountId,
    id,
    invoice_id: invoice.id,
    customer_id: invoice.customer_id,
    status: 'open',
    source: ctx.source,
    paid_on: data.paid_on,
    amount: data.amount,
    currency: invoice.currency,
    reference: data.reference ?? null,
    note: data.note ?? null,
    hold_until: holdUntil,
    task_id: task.id,
    created_at: now,
    updated_at: now,
  });
  await holdInvoice(trx, accountId, invoice.id, holdUntil, now);
  const claim = presentClaim(row);
  await recordEvent(trx, {
    accountId,
    type: 'payment_claim.created',
    objectType: 'payment_claim',
    objectId: id,
    data: claim,
    at: now,
  });
  return claim;
}

/** Whether the invoice has an open payment claim. */
export async function hasOpenClaim(trx: Db, accountId: string, invoiceId: string): Promise<boolean> {
  return (await openClaimsOf(trx, accountId, [invoiceId])).length > 0;
}

/**
 * Ends an open claim (its invoice locked by the caller): `confirmed` by a payment, `rejected` by a
 * person, `expired` by the daily sweep. The invoice's hold is lifted; confirmed or rejected, its
 * `payment_claim` task is completed and the reminders the hold deferred are re-decided now.
 */
async function endClaim(
  trx: Db,
  ctx: ClaimContext,
  claim: PaymentClaimRow,
  status: Exclude<PaymentClaimStatus, 'open'>,
  details: { paymentId?: string; note?: string | null },
): Promise<PaymentClaim> {
  const { accountId, now } = ctx;
  const row = await endClaimRow(
    trx,
    accountId,
    claim.id,
    { status, payment_id: details.paymentId ?? null, resolution_note: details.note ?? null },
    now,
  );
  await holdInvoice(trx, accountId, claim.invoice_id, null, now);
  if (status !== 'expired' && claim.task_id)
    await completeTaskIn(trx, {
      accountId,
      taskId: claim.task_id,
      outcome: status === 'confirmed' ? `Payment recorded: ${details.paymentId}` : 'Claim rejected: no such payment',
      now,
    });
  const presented = presentClaim(row);
  await recordEvent(trx, {
    accountId,
    type: `payment_claim.${status}`,
    objectType: 'payment_claim',
    objectId: claim.id,
    data: presented,
    at: now,
  });
  if (status !== 'expired')
    await ctx.replan(trx, {
      accountId,
      invoiceIds: [claim.invoice_id],
      timeZone: ctx.timeZone,
      now,
      resume: true,
    });
  return presented;
}

/**
 * After a payment was allocated to invoices (locked by the caller): an open claim on any of them
 * is confirmed by it (`payment_claim.confirmed`), whatever the amount: what remains due is chased
 * again.
 */
export async function confirmClaimsAfterPayment(
  trx: Db,
  ctx: ClaimContext,
  paymentId: string,
  invoiceIds: readonly string[],
): Promise<void> {
  for (const claim of await openClaimsOf(trx, ctx.accountId, invoiceIds))
    await endClaim(trx, ctx, claim, 'confirmed', { paymentId });
}

/**
 * The workers' daily check: an open claim whose hold has passed is `expired`
 * (`payment_claim.expired`); its task stays open for the person who has not checked yet, and
 * the reminders it deferred go out at their deferred time. Returns how many expired.
 */
export async function expirePaymentClaims(
  database: Database,
  scope: { now: Date; inScope: RawBuilder<boolean> },
  replan: ReplanInvoices,
): Promise<number> {
  const { now } = scope;
  const candidates = await database.withSystem((trx) => expiredClaimCandidates(trx, now, scope.inScope));
  let expired = 0;
  for (const [accountId, rows] of Map.groupBy(candidates, (r) => r.account_id)) {
    await database.withAccount(accountId, async (trx) => {
      for (const row of rows) {
        await findInvoice(trx, row.invoice_id, { forUpdate: true });
        const claim = await findClaim(trx, row.id, { forUpdate: true });
        if (claim?.status !== 'open') continue;
        // The candidates' holds ended before their account's today (the query decides).
        await endClaim(trx, { accountId, timeZone: row.time_zone, now, replan }, claim, 'expired', {});
        expired++;
      }
    });
  }
  return expired;
}

/**
 * Payment claims: the customer says it already paid. The API and the customer page record them
 * through the same function; a payment recorded on the invoice (by hand or from a bank line)
 * confirms one, a person may reject one, and one left unchecked expires. See docs/payment-claims.md.
 */
export function createPaymentClaimService(deps: { database: Database; clock: Clock; replan: ReplanInvoices }) {
  const { database, clock, replan } = deps;
  const timeFor = accountTime(database, clock);

  return {
    async create(actor: Actor, input: PaymentClaimCreate, source: PaymentClaimSource = 'api'): Promise<PaymentClaim> {
      assertWriteAccess(actor);
      const data = parseInput<PaymentClaimCreate>(PaymentClaimCreate, input);
      const { now, today } = await timeFor(actor);
      try {
        return await database.withAccount(actor.accountId, (trx) =>
          claimPaymentIn(trx, { accountId: actor.accountId, now, today, source }, data),
        );
      } catch (error) {
        if (isUniqueViolation(error, 'payment_claims_one_open')) throw alreadyOpen();
        throw error;
      }
    },

    async get(actor: Actor, id: string): Promise<PaymentClaim> {
      const row = await database.withAccount(actor.accountId, (trx) => findClaim(trx, id));
      if (!row) throw notFound('payment_claim', id);
      return presentClaim(row);
    },

    async list(actor: Actor, query: PaymentClaimListQuery = {}): Promise<Page<PaymentClaim>> {
      const q = parseInput<PaymentClaimListQuery>(PaymentClaimListQuery, query);
      const rows = await database.withAccount(actor.accountId, (trx) => listClaims(trx, q));
      return toPage(rows.map(presentClaim), pageSize(q));
    },

    /** Someone checked and found no such payment: the invoice's reminders resume now. */
    async reject(actor: Actor, id: string, input: PaymentClaimReject = {}): Promise<PaymentClaim> {
      assertWriteAccess(actor);
      const data = parseInput<PaymentClaimReject>(PaymentClaimReject, input);
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const peek = await findClaim(trx, id);
        if (!peek) throw notFound('payment_claim', id);
        await findInvoice(trx, peek.invoice_id, { forUpdate: true });
        const claim = await findClaim(trx, id, { forUpdate: true });
        if (claim?.status !== 'open')
          throw new AppError('payment_claim/not_open', 409, `This claim is already ${claim?.status ?? 'gone'}.`);
        return endClaim(trx, { accountId: actor.accountId, timeZone: actor.timeZone, now, replan }, claim, 'rejected', {
          note: data.note ?? null,
        });
      });
    },
  };
}

export type PaymentClaimService = ReturnType<typeof createPaymentClaimService>;
