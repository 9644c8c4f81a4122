import type { Db } from '../../store/database.ts';
import { CHASED_STATUSES } from '../shared/index.ts';

// The pauses module's statements on invoices (the invoices module sits below and does not know pauses).

export interface PauseColumns {
  paused: boolean;
  paused_until: string | null;
  pause_reason: string | null;
}

/** Sets (or lifts) an invoice's own pause; returns the row. */
export const setInvoicePause = (trx: Db, id: string, pause: PauseColumns, now: Date) =>
  trx
    .updateTable('invoices')
    .set({ ...pause, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** Every invoice of the customer shows the customer's pause. */
export async function showCustomerPauseOnInvoices(trx: Db, customerId: string, pause: PauseColumns): Promise<void> {
  await trx
    .updateTable('invoices')
    .set({
      customer_paused: pause.paused,
      customer_paused_until: pause.paused_until,
      customer_pause_reason: pause.pause_reason,
    })
    .where('customer_id', '=', customerId)
    .execute();
}

/** The customer's invoices Relance chases. */
export const chasedInvoiceIdsOf = (trx: Db, customerId: string) =>
  trx
    .selectFrom('invoices')
    .select('id')
    .where('customer_id', '=', customerId)
    .where('status', 'in', CHASED_STATUSES)
    .execute();

/** Sets (or clears) the date the customer promised to pay the invoice; returns the row. */
export const setPromiseOnInvoice = (trx: Db, accountId: string, invoiceId: string, date: string | null, now: Date) =>
  trx
    .updateTable('invoices')
    .set({ promise_to_pay_on: date, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', invoiceId)
    .returningAll()
    .executeTakeFirstOrThrow();
