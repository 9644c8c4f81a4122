import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { PaymentTerms as PaymentTermsTable } from '../../store/db-types.ts';
import { keysetPage, type PageRequest } from '../shared/index.ts';
import { describeRule, type DueDateRule } from './terms.rules.ts';
import type { LateFeeRule, PaymentTerms } from './terms.schemas.ts';

export type PaymentTermsRow = Selectable<PaymentTermsTable>;

export function ruleOf(row: Pick<PaymentTermsRow, 'rule_kind' | 'rule_days'>): DueDateRule {
  return row.rule_kind === 'due_on_receipt'
    ? { kind: 'due_on_receipt' }
    : { kind: row.rule_kind as Exclude<DueDateRule['kind'], 'due_on_receipt'>, days: row.rule_days };
}

export const presentPaymentTerms = (row: PaymentTermsRow): PaymentTerms => ({
  id: row.id,
  object: 'payment_terms',
  code: row.code,
  name: row.name,
  description: describeRule(ruleOf(row)),
  due: { kind: ruleOf(row).kind, days: row.rule_days },
  early_payment_discount:
    row.discount_bps === null || row.discount_days === null
      ? null
      : { percent_bps: row.discount_bps, within_days: row.discount_days },
  late_fee:
    row.late_fee_kind === null
      ? null
      : {
          kind: row.late_fee_kind as LateFeeRule['kind'],
          annual_rate_bps: row.late_fee_rate_bps,
          fixed_fee:
            row.late_fee_fixed_amount === null || row.late_fee_fixed_currency === null
              ? null
              : { amount: row.late_fee_fixed_amount, currency: row.late_fee_fixed_currency },
          grace_days: row.late_fee_grace_days,
          cap_bps: row.late_fee_cap_bps,
          fixed_fee_at: row.late_fee_fixed_at as LateFeeRule['fixed_fee_at'],
        },
  builtin: row.builtin,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

export const selectPaymentTerms = (trx: Db, id: string) =>
  trx.selectFrom('payment_terms').selectAll().where('id', '=', id).executeTakeFirst();

export const insertPaymentTerms = (trx: Db, values: Insertable<PaymentTermsTable>) =>
  trx.insertInto('payment_terms').values(values).returningAll().executeTakeFirstOrThrow();

/** A new account's built-in terms, in one statement. */
export async function insertBuiltinPaymentTerms(trx: Db, rows: Insertable<PaymentTermsTable>[]): Promise<void> {
  await trx.insertInto('payment_terms').values(rows).execute();
}

/** One page of the account's payment terms, oldest first. */
export const listPaymentTerms = (trx: Db, query: PageRequest) =>
  keysetPage(trx.selectFrom('payment_terms').selectAll(), query, { direction: 'asc' }).execute();

export const updatePaymentTerms = (trx: Db, id: string, set: Updateable<PaymentTermsTable>) =>
  trx.updateTable('payment_terms').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

export async function deletePaymentTerms(trx: Db, id: string): Promise<void> {
  await trx.deleteFrom('payment_terms').where('id', '=', id).execute();
}
