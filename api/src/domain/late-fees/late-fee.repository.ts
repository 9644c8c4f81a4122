import { type Insertable, type Selectable, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { InvoiceFees, ReferenceRateAlerts } from '../../store/db-types.ts';
import type { InvoiceRow } from '../invoices/index.ts';
import { keysetPage, type PageRequest } from '../shared/index.ts';
import type { LateFeePreset, ReferenceRate as Rate } from './late-fee.rules.ts';
import type { InvoiceFee, ReferenceRate } from './late-fee.schemas.ts';

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
export async function loadReferenceRates(trx: Db): Promise<Rate[]> {
  const rows = await trx
    .selectFrom('reference_rates')
    .select(['source', 'effective_on', 'rate_bps'])
    .orderBy('source')
    .orderBy('effective_on')
    .execute();
  return rows.map((r) => ({
    source: r.source as Rate['source'],
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

/** Said once on the invoice: its statutory fees were not applied, and why. */
export async function markLateFeesSkipped(trx: Db, invoiceId: string, skipped: object): Promise<void> {
  await trx
    .updateTable('invoices')
    .set({ late_fees_skipped: JSON.stringify(skipped) })
    .where('id', '=', invoiceId)
    .execute();
}

/** The invoice's payment plans that suspend late fees, active or ended. */
export const suspendingPlansOf = (trx: Db, invoiceId: string) =>
  trx
    .selectFrom('payment_plans')
    .select(['started_on', 'ended_on'])
    .where('invoice_id', '=', invoiceId)
    .where('late_fees', '=', 'suspended')
    .execute();

/** Every fee line of the invoice (waived ones included), oldest first. */
export const feesOfInvoice = (trx: Db, invoiceId: string) =>
  trx.selectFrom('invoice_fees').selectAll().where('invoice_id', '=', invoiceId).orderBy('id').execute();

/** One page of the invoice's fee lines, oldest first. */
export const listFeesOfInvoice = (trx: Db, invoiceId: string, query: PageRequest) =>
  keysetPage(trx.selectFrom('invoice_fees').selectAll().where('invoice_id', '=', invoiceId), query, {
    direction: 'asc',
  }).execute();

export const findFeeOfInvoice = (trx: Db, invoiceId: string, feeId: string) =>
  trx
    .selectFrom('invoice_fees')
    .selectAll()
    .where('id', '=', feeId)
    .where('invoice_id', '=', invoiceId)
    .executeTakeFirst();

export const insertFee = (trx: Db, values: Insertable<InvoiceFees>) =>
  trx.insertInto('invoice_fees').values(values).returningAll().executeTakeFirstOrThrow();

export const waiveFee = (trx: Db, feeId: string, now: Date, reason: string) =>
  trx
    .updateTable('invoice_fees')
    .set({ waived_at: now, waive_reason: reason })
    .where('id', '=', feeId)
    .returningAll()
    .executeTakeFirstOrThrow();

/** Raises the invoice's late fees (and their split by kind) by what was just accrued. */
export async function addLateFeesToInvoice(
  trx: Db,
  accountId: string,
  invoiceId: string,
  added: { interest: number; recovery: number; now: Date },
): Promise<void> {
  const { interest, recovery } = added;
  await trx
    .updateTable('invoices')
    .set((eb) => ({
      late_fees: eb('late_fees', '+', interest + recovery),
      late_fees_interest: eb('late_fees_interest', '+', interest),
      late_fees_recovery_fee: eb('late_fees_recovery_fee', '+', recovery),
      updated_at: added.now,
    }))
    .where('account_id', '=', accountId)
    .where('id', '=', invoiceId)
    .execute();
}

/** Takes a waived fee line off the invoice's late fees (and their split by kind). */
export async function removeLateFeeFromInvoice(
  trx: Db,
  accountId: string,
  invoiceId: string,
  fee: Pick<InvoiceFeeRow, 'kind' | 'amount'>,
  now: Date,
): Promise<void> {
  const byKind = fee.kind === 'interest' ? 'late_fees_interest' : 'late_fees_recovery_fee';
  await trx
    .updateTable('invoices')
    .set((eb) => ({
      late_fees: eb('late_fees', '-', fee.amount),
      [byKind]: eb(byKind, '-', fee.amount),
      updated_at: now,
    }))
    .where('account_id', '=', accountId)
    .where('id', '=', invoiceId)
    .execute();
}

/**
 * Notes that the account computed interest without the rate of this reference date; true only
 * the first time (a concurrent accrual waits on the key and then inserts nothing).
 */
export async function insertRateAlertOnce(trx: Db, values: Insertable<ReferenceRateAlerts>): Promise<boolean> {
  const first = await trx
    .insertInto('reference_rate_alerts')
    .values(values)
    .onConflict((oc) => oc.columns(['account_id', 'source', 'reference_date']).doNothing())
    .returning('source')
    .executeTakeFirst();
  return first !== undefined;
}

export const presentRate = (row: {
  source: string;
  effective_on: string;
  rate_bps: number;
  created_at: Date;
}): ReferenceRate => ({
  object: 'reference_rate',
  source: row.source as ReferenceRate['source'],
  effective_on: row.effective_on,
  rate_bps: row.rate_bps,
  created_at: row.created_at.toISOString(),
});

/** Every reference rate (of one source, if given), oldest first per source. */
export function listReferenceRates(trx: Db, source?: string) {
  let q = trx.selectFrom('reference_rates').selectAll().orderBy('source').orderBy('effective_on');
  if (source) q = q.where('source', '=', source);
  return q.execute();
}

/** Records a rate, or corrects the one recorded for the same source and day. */
export const upsertReferenceRate = (
  trx: Db,
  rate: { source: string; effective_on: string; rate_bps: number },
  now: Date,
) =>
  trx
    .insertInto('reference_rates')
    .values({ source: rate.source, effective_on: rate.effective_on, rate_bps: rate.rate_bps, created_at: now })
    .onConflict((oc) =>
      oc.columns(['source', 'effective_on']).doUpdateSet({ rate_bps: rate.rate_bps, created_at: now }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();

/** The fee lines still owed (not waived) of these invoices of one account, by invoice then period. */
export const unwaivedFeesOf = (trx: Db, accountId: string, invoiceIds: readonly string[]) =>
  trx
    .selectFrom('invoice_fees')
    .select(['invoice_id', 'kind', 'amount', 'period_from', 'period_to', 'rate_bps'])
    .where('account_id', '=', accountId)
    .where('invoice_id', 'in', invoiceIds)
    .where('waived_at', 'is', null)
    .orderBy('invoice_id')
    .orderBy('period_from')
    .execute();
