import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { isUniqueViolation } from '../../store/pg-errors.ts';
import { parseInput } from '../../validation.ts';
import { recordEvent } from '../outbox/index.ts';
import { CHASED_STATUSES, findInvoice, type InvoiceStatus, nextStatus, presentInvoice } from '../invoices/index.ts';
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
import { cancelPlanOfClosedInvoice } from '../payment-plans/index.ts';
import {
  clearInvoiceDisputed,
  findDispute,
  insertDispute,
  listDisputes,
  markInvoiceDisputed,
  openDisputeOf,
  presentDispute,
  resolveDisputeRow,
} from './dispute.repository.ts';
import { type Dispute, DisputeCreate, DisputeListQuery, DisputeResolve } from './dispute.schemas.ts';

const alreadyOpen = () =>
  new AppError('dispute/already_open', 409, 'This invoice already has an open dispute; resolve it first.');

/**
 * Opens a dispute in the caller's transaction (the API's, or a reaction such as an e-invoicing
 * "en litige" status): the invoice is locked as the sender locks it, so once this commits no
 * reminder of it leaves. One open dispute per invoice (`dispute/already_open`).
 */
export async function openDisputeIn(
  trx: Db,
  ctx: { accountId: string; now: Date },
  invoiceId: string,
  data: { reason: string; note: string | null },
): Promise<Dispute> {
  const { accountId, now } = ctx;
  const invoice = await findInvoice(trx, invoiceId, { forUpdate: true });
  if (!invoice) throw notFound('invoice', invoiceId);
  assertInvoiceStatus(invoice.status, CHASED_STATUSES, 'dispute');
  const open = await openDisputeOf(trx, invoiceId);
  if (open) throw alreadyOpen();
  const row = await insertDispute(trx, {
    account_id: accountId,
    id: newId('dispute'),
    invoice_id: invoiceId,
    status: 'open',
    reason: data.reason,
    note: data.note,
    opened_at: now,
  });
  await markInvoiceDisputed(trx, accountId, invoiceId, now);
  const dispute = presentDispute(row);
  await recordEvent(trx, {
    accountId,
    type: 'dispute.opened',
    objectType: 'dispute',
    objectId: row.id,
    data: dispute,
    at: now,
  });
  return dispute;
}

/**
 * Disputes: a customer contests an invoice. While a dispute is open the invoice is `disputed`
 * and no reminder goes out (the guard holds them; the last check before handing an email to the
 * provider refuses too). Resolved for the creditor, dunning resumes; for the customer, the
 * invoice is voided.
 */
export function createDisputeService(deps: { database: Database; clock: Clock; replan: ReplanInvoices }) {
  const { database, clock, replan } = deps;
  const timeFor = accountTime(database, clock);

  return {
    /** Opens a dispute on an open or partially paid invoice (one open dispute per invoice). */
    async open(actor: Actor, invoiceId: string, input: DisputeCreate): Promise<Dispute> {
      assertWriteAccess(actor);
      const data = parseInput<DisputeCreate>(DisputeCreate, input);
      const { now } = await timeFor(actor);
      try {
        return await database.withAccount(actor.accountId, (trx) =>
          openDisputeIn(trx, { accountId: actor.accountId, now }, invoiceId, {
            reason: data.reason,
            note: data.note ?? null,
          }),
        );
      } catch (error) {
        if (isUniqueViolation(error, 'disputes_one_open')) throw alreadyOpen();
        throw error;
      }
    },

    /**
     * Resolves an open dispute. `for_creditor`: the invoice is owed, its held reminders are
     * released. `for_customer`: the invoice is voided; once part of it was paid it cannot be
     * voided, so the dispute stays open (`dispute/cannot_void_paid`) until the rest is credited
     * or written off. An invoice already closed (paid, void, written off) is left as it is.
     */
    async resolve(actor: Actor, id: string, input: DisputeResolve): Promise<Dispute> {
      assertWriteAccess(actor);
      const data = parseInput<DisputeResolve>(DisputeResolve, input);
      const { now, today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const peek = await findDispute(trx, id);
        if (!peek) throw notFound('dispute', id);
        const invoice = await findInvoice(trx, peek.invoice_id, { forUpdate: true });
        if (!invoice) throw notFound('invoice', peek.invoice_id);
        const current = await findDispute(trx, id, { forUpdate: true });
        if (current?.status !== 'open')
          throw new AppError('dispute/not_open', 409, 'This dispute is already resolved.');

        let status = invoice.status;
        if (data.resolution === 'for_customer' && CHASED_STATUSES.includes(invoice.status)) {
          try {
            status = nextStatus(invoice.status as InvoiceStatus, 'void');
          } catch (error) {
            if (!(error instanceof AppError) || error.code !== 'invoice/invalid_transition') throw error;
            throw new AppError(
              'dispute/cannot_void_paid',
              409,
              `The invoice is ${invoice.status}: part of it was paid, so it cannot be voided. Credit or write off the rest, then resolve the dispute for the customer.`,
            );
          }
        }
        const voiding = status !== invoice.status;

        const row = await resolveDisputeRow(
          trx,
          id,
          { resolution: data.resolution, resolution_note: data.note ?? null },
          now,
        );
        const updated = await clearInvoiceDisputed(trx, invoice.id, now, voiding ? status : null);
        const dispute = presentDispute(row);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'dispute.resolved',
          objectType: 'dispute',
          objectId: id,
          data: dispute,
          at: now,
        });
        if (voiding) {
          await recordEvent(trx, {
            accountId: actor.accountId,
            type: 'invoice.voided',
            objectType: 'invoice',
            objectId: invoice.id,
            data: presentInvoice(updated, today),
            at: now,
          });
          await cancelPlanOfClosedInvoice(
            trx,
            { accountId: actor.accountId, timeZone: actor.timeZone, now, today, replan },
            updated,
          );
        }
        // Held reminders go back to their plan (for the creditor), or are skipped (voided).
        await replan(trx, {
          accountId: actor.accountId,
          invoiceIds: [invoice.id],
          timeZone: actor.timeZone,
          now,
          resume: true,
        });
        return dispute;
      });
    },

    get(actor: Actor, id: string): Promise<Dispute> {
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await findDispute(trx, id);
        if (!row) throw notFound('dispute', id);
        return presentDispute(row);
      });
    },

    /** Disputes newest first, filtered by status and invoice. */
    list(actor: Actor, input: DisputeListQuery): Promise<Page<Dispute>> {
      const query = parseInput<DisputeListQuery>(DisputeListQuery, input);
      return database.withAccount(actor.accountId, async (trx) =>
        toPage((await listDisputes(trx, query)).map(presentDispute), pageSize(query)),
      );
    },
  };
}

export type DisputeService = ReturnType<typeof createDisputeService>;
