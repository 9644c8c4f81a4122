import { type Selectable, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { InvoiceFees } from '../../store/db-types.ts';
import type { InvoiceRow } from '../invoices/index.ts';
import type { LateFeePreset, ReferenceRate } from './late-fee.rules.ts';
import type { InvoiceFee } from './late-fee.schemas.ts';

export type InvoiceFeeRow = Selectable<InvoiceFees>;

export const presentFee = (row: InvoiceFeeRow): InvoiceFee => ({
  id: row.id,
  object: 'invoice_fee',
  invoice_id: row.invoice_id,
  kind: row.kind as InvoiceFee['kind'],
  amount: row.amount,
  currency: row.currency,
  period_from: row.period_from,
  period_to: row.period_to,
  rate_bps: row.rate_bps,
  rate_assumed: row.rate_assumed,
  rate_note: row.rate_note,
  waived: row.waived_at !== null,
  waived_at: row.waived_at?.toISOString() ?? null,
  waive_reason: row.waive_reason,
  created_at: row.created_at.toISOString(),
});

/** Every reference rate, oldest first per source (a few dozen rows). */
export async function loadReferenceRates(trx: Db): Promise<ReferenceRate[]> {
  const rows = await trx
    .selectFrom('reference_rates')
    .select(['source', 'effective_on', 'rate_bps'])
    .orderBy('source')
    .orderBy('effective_on')
    .execute();
  return rows.map((r) => ({
    source: r.source as ReferenceRate['source'],
    effective_on: r.effective_on,
    rate_bps: r.rate_bps,
  }));
}

/** The late-fee columns of the invoice's payment terms, and the account's preset. */
export async function lateFeeSettings(
  trx: Db,
  invoice: Pick<InvoiceRow, 'account_id' | 'payment_terms_id' | 'customer_id'>,
) {
  const account = await trx.selectFrom('accounts').select('late_fee_preset').executeTakeFirstOrThrow();
  const customer = await trx
    .selectFrom('customers')
    .select('kind')
    .where('account_id', '=', invoice.account_id)
    .where('id', '=', invoice.customer_id)
    .executeTakeFirst();
  const terms = invoice.payment_terms_id
    ? await trx
        .selectFrom('payment_terms')
        .select([
          'late_fee_kind',
          'late_fee_rate_bps',
          'late_fee_fixed_amount',
          'late_fee_fixed_currency',
          'late_fee_grace_days',
          'late_fee_cap_bps',
          'late_fee_fixed_at',
        ])
        .where('id', '=', invoice.payment_terms_id)
        .executeTakeFirst()
    : undefined;
  return { preset: account.late_fee_preset as LateFeePreset, terms, consumer: customer?.kind === 'consumer' };
}

/**
 * Dated reductions of an invoice's principal: its payment allocations that stand (not
 * reversed), dated by the day the payment was received. Empty while the payments tables do not
 * exist (the balance is then taken as constant).
 */
export async function principalReductions(trx: Db, invoiceId: string): Promise<{ on: string; amount: number }[]> {
  const exists = await sql<{
    ok: boolean;
  }>`SELECT to_regclass('payment_allocations') IS NOT NULL AND to_regclass('payments') IS NOT NULL AS ok`.execute(trx);
  if (!exists.rows[0]?.ok) return [];
  const rows = await trx
    .selectFrom('payment_allocations as a')
    .innerJoin('payments as p', (join) =>
      join.onRef('p.account_id', '=', 'a.account_id').onRef('p.id', '=', 'a.payment_id'),
    )
    .select(['p.received_on as on', (eb) => eb.fn.sum<string>('a.amount').as('amount')])
    .where('a.invoice_id', '=', invoiceId)
    .where('a.reversed', '=', false)
    .where('p.status', '=', 'succeeded')
    .groupBy('p.received_on')
    .execute();
  return rows.map((r) => ({ on: r.on, amount: Number(r.amount) }));
}
