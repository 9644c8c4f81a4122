import type { Db } from '../../store/database.ts';
import { recordEvent } from '../outbox/index.ts';
import type { InvoiceRow } from '../invoices/index.ts';
import type { ReplanInvoices } from '../shared/index.ts';
import { setPromiseOnInvoice } from './pause.repository.ts';

/**
 * Records a promise to pay on an invoice (or clears it with `date: null`), in the caller's
 * transaction, on a row the caller locked. Writes `promise.made` (or `promise.cleared` when a
 * promise existed) and replans the invoice's reminders: the guard then defers them until two
 * days after the promised date, and resumes them if it passes unpaid (`promise.broken`).
 */
export async function recordPromise(
  trx: Db,
  args: {
    accountId: string;
    timeZone: string;
    now: Date;
    replan: ReplanInvoices;
    invoice: InvoiceRow;
    date: string | null;
    note?: string | null;
    taskId?: string | null;
  },
): Promise<InvoiceRow> {
  const { accountId, now, invoice, date } = args;
  const row = await setPromiseOnInvoice(trx, accountId, invoice.id, date, now);
  if (date !== null) {
    await recordEvent(trx, {
      accountId,
      type: 'promise.made',
      objectType: 'invoice',
      objectId: invoice.id,
      data: {
        invoice_id: invoice.id,
        promise_to_pay_on: date,
        previous_promise_to_pay_on: invoice.promise_to_pay_on,
        task_id: args.taskId ?? null,
        note: args.note ?? null,
      },
      at: now,
    });
  } else if (invoice.promise_to_pay_on !== null) {
    await recordEvent(trx, {
      accountId,
      type: 'promise.cleared',
      objectType: 'invoice',
      objectId: invoice.id,
      data: { invoice_id: invoice.id, promise_to_pay_on: invoice.promise_to_pay_on, note: args.note ?? null },
      at: now,
    });
  }
  // Reminders deferred or held under the old terms are re-decided by the guard when due.
  await args.replan(trx, { accountId, invoiceIds: [invoice.id], timeZone: args.timeZone, now, resume: true });
  return row;
}
