import { accrueLateFees } from '../../late-fees/index.ts';
import { reloadInvoice } from '../sending.repository.ts';
import type { ChannelContext } from './channel.ts';

/**
 * Brings the invoice's late fees up to date before a message states what is due, and reloads the
 * invoice in place when any were added (the batch's later reminders of the invoice see them too).
 * `atFeeStep`: the reminder is the step that applies the fees.
 */
export async function accrueBeforeSending(ctx: ChannelContext, atFeeStep: boolean): Promise<void> {
  const { trx, accountId, invoice, today, now } = ctx;
  const added = await accrueLateFees(trx, { accountId, invoiceId: invoice.id, today, now, atFeeStep });
  if (added.length === 0) return;
  Object.assign(invoice, await reloadInvoice(trx, invoice.id));
}
