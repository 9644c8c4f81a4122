import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { addDays, compareDates } from '../calendar.ts';
import { claimPaymentIn, hasOpenClaim } from '../claims/index.ts';
import { openDisputeIn } from '../disputes/index.ts';
import { CHASED_STATUSES, findInvoice } from '../invoices/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { pauseInvoiceIn, resumeInvoiceIn } from '../pauses/index.ts';
import { accountTime, type Actor, assertWriteAccess, type ReplanInvoices } from '../shared/index.ts';
import {
  findSameStatus,
  insertStatusOnce,
  presentEinvoiceStatus,
  setInvoiceStatus,
  setReaction,
  statusesOfInvoice,
} from './einvoice.repository.ts';
import {
  EINVOICE_STATUSES,
  type EinvoiceCode,
  isEinvoicePause,
  PAYMENT_CLAIM_DAYS,
  pauseReasonOf,
  reactionTo,
} from './einvoice.rules.ts';
import { type EinvoiceStatus, EinvoiceStatusCreate } from './einvoice.schemas.ts';

/**
 * The e-invoicing lifecycle of an invoice (France, 2026): the integrator records each status its
 * approved platform reports, and Relance reacts in the same transaction: 207 opens a dispute,
 * 208 / 210 / 213 pause the reminders, 211 holds them as a payment claim, 205 and 209 lift a
 * pause an earlier status set. A status recorded twice (same code, date and platform reference)
 * is one status.
 */
export function createEinvoiceService(deps: { database: Database; clock: Clock; replan: ReplanInvoices }) {
  const { database, clock, replan } = deps;
  const timeFor = accountTime(database, clock);
  return {
    /** Records a status; `fresh` is false when the same status was already recorded (nothing happens again). */
    async record(
      actor: Actor,
      invoiceId: string,
      input: EinvoiceStatusCreate,
    ): Promise<{ status: EinvoiceStatus; fresh: boolean }> {
      assertWriteAccess(actor);
      const data = parseInput<EinvoiceStatusCreate>(EinvoiceStatusCreate, input);
      const { now, today } = await timeFor(actor);
      const code = data.code as EinvoiceCode;
      return database.withAccount(actor.accountId, async (trx) => {
        const invoice = await findInvoice(trx, invoiceId, { forUpdate: true });
        if (!invoice) throw notFound('invoice', invoiceId);
        const inserted = await insertStatusOnce(trx, {
          account_id: actor.accountId,
          id: newId('einvoiceStatus'),
          invoice_id: invoiceId,
          code,
          status_on: data.status_on,
          reason_code: data.reason_code ?? null,
          reason: data.reason ?? null,
          platform_ref: data.platform_ref ?? null,
          reaction: 'none',
          created_at: now,
        });
        if (!inserted) {
          const same = await findSameStatus(trx, actor.accountId, {
            invoiceId,
            code,
            statusOn: data.status_on,
            platformRef: data.platform_ref ?? null,
          });
          return { status: presentEinvoiceStatus(same), fresh: false };
        }
        await setInvoiceStatus(trx, actor.accountId, invoiceId, code, data.status_on);

        const ctx = { actor, now, today, replan };
        const chased = CHASED_STATUSES.includes(invoice.status);
        const reaction = reactionTo(code);
        let done: EinvoiceStatus['reaction'] = 'none';
        const why = `${EINVOICE_STATUSES[code].fr} (${code})${data.reason ? `: ${data.reason}` : ''}`;
        if (reaction.kind === 'dispute' && chased && !invoice.disputed) {
          await openDisputeIn(trx, { accountId: actor.accountId, now }, invoiceId, {
            reason: `E-invoicing platform: ${why}`.slice(0, 500),
            note: data.reason_code ?? null,
          });
          done = 'dispute_opened';
        } else if (reaction.kind === 'pause' && (chased || invoice.status === 'draft')) {
          await pauseInvoiceIn(trx, ctx, invoiceId, { until: null, reason: pauseReasonOf(code) });
          done = 'paused';
        } else if (reaction.kind === 'payment_claim' && chased) {
          // The buyer's platform says the money was sent: a payment claim, as if the customer had
          // said so (docs/payment-claims.md), held until `status_on` + `hold_days` − 1. An open
          // claim on the invoice already holds it.
          const until = addDays(data.status_on, (data.hold_days ?? PAYMENT_CLAIM_DAYS) - 1);
          if (compareDates(until, today) >= 0 && !(await hasOpenClaim(trx, actor.accountId, invoiceId))) {
            await claimPaymentIn(
              trx,
              { accountId: actor.accountId, now, today, source: 'einvoice', holdUntil: until },
              {
                invoice_id: invoiceId,
                paid_on: compareDates(data.status_on, today) <= 0 ? data.status_on : today,
                amount: invoice.balance + invoice.late_fees,
                ...(data.platform_ref && { reference: data.platform_ref.slice(0, 200) }),
                note: `E-invoicing platform: ${why}`.slice(0, 2000),
              },
            );
            done = 'payment_claim';
          }
        } else if (reaction.kind === 'release' && invoice.paused && isEinvoicePause(invoice.pause_reason)) {
          await resumeInvoiceIn(trx, ctx, invoiceId);
          done = 'resumed';
        }
        const row = done === 'none' ? inserted : await setReaction(trx, actor.accountId, inserted.id, done);
        const status = presentEinvoiceStatus(row);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'invoice.einvoice_status',
          objectType: 'invoice',
          objectId: invoiceId,
          data: status,
          at: now,
        });
        return { status, fresh: true };
      });
    },

    async list(
      actor: Actor,
      invoiceId: string,
    ): Promise<{ object: 'list'; data: EinvoiceStatus[]; has_more: false; next_cursor: null }> {
      return database.withAccount(actor.accountId, async (trx) => {
        if (!(await findInvoice(trx, invoiceId))) throw notFound('invoice', invoiceId);
        const rows = await statusesOfInvoice(trx, actor.accountId, invoiceId);
        return { object: 'list', data: rows.map(presentEinvoiceStatus), has_more: false, next_cursor: null };
      });
    },
  };
}
