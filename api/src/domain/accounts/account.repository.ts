import { type Insertable, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { Accounts } from '../../store/db-types.ts';
import { type RiskThresholds, thresholdsOf } from '../behaviour/index.ts';
import type { PolicyRule } from '../reminders/index.ts';
import { normalizeVat } from '../shared/index.ts';
import type { Account, AccountUpdate } from './account.schemas.ts';

export type AccountRow = Selectable<Accounts>;

export const presentAccount = (row: AccountRow): Account => ({
  id: row.id,
  object: 'account',
  mode: row.mode === 'test' ? 'test' : 'live',
  name: row.name,
  legal_name: row.legal_name,
  registration_number: row.registration_number,
  vat_number: row.vat_number,
  billing_address: row.billing_address as Account['billing_address'],
  default_currency: row.default_currency,
  locale: row.locale,
  time_zone: row.time_zone,
  sender_name: row.sender_name,
  sender_email: row.sender_email,
  reply_to: row.reply_to,
  contact_phone: row.contact_phone,
  payment_instructions: row.payment_instructions,
  default_payment_terms_id: row.default_payment_terms_id,
  default_reminder_policy_id: row.default_reminder_policy_id,
  late_fee_preset: row.late_fee_preset as Account['late_fee_preset'],
  policy_rules: (row.policy_rules ?? []) as PolicyRule[],
  portal_enabled: row.portal_enabled,
  portal_days_after_paid: row.portal_days_after_paid,
  portal_promise_max_days: row.portal_promise_max_days,
  max_contacts_per_week: row.max_contacts_per_week,
  min_days_between_contacts: row.min_days_between_contacts,
  sms_sender: row.sms_sender,
  daytime_from_hour: row.daytime_from_hour,
  daytime_until_hour: row.daytime_until_hour,
  payment_claim_hold_days: row.payment_claim_hold_days,
  monthly_statements: row.monthly_statements,
  statement_day: row.statement_day,
  portal_plan_max_installments: row.portal_plan_max_installments,
  portal_plan_max_days: row.portal_plan_max_days,
  portal_plan_min_installment: (row.portal_plan_min_installment ?? {}) as Record<string, number>,
  brand_colour: row.brand_colour,
  logo_url: row.logo_url,
  checkout_url_template: row.checkout_url_template,
  risk_thresholds: thresholdsOf(row.risk_thresholds as Partial<RiskThresholds> | null),
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

export const findAccount = (trx: Db, id: string) =>
  trx.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();

/** The account, which must exist (the transaction's own). */
export const getAccount = (trx: Db, id: string) =>
  trx.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

export async function insertAccount(trx: Db, values: Insertable<Accounts>): Promise<void> {
  await trx.insertInto('accounts').values(values).execute();
}

export async function setDefaultPaymentTerms(trx: Db, id: string, termsId: string | null): Promise<void> {
  await trx.updateTable('accounts').set({ default_payment_terms_id: termsId }).where('id', '=', id).execute();
}

export async function setDefaultReminderPolicy(trx: Db, id: string, policyId: string): Promise<void> {
  await trx.updateTable('accounts').set({ default_reminder_policy_id: policyId }).where('id', '=', id).execute();
}

export const countAccounts = (trx: Db) =>
  trx
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();

/** Every account, oldest first. */
export const listAllAccounts = (trx: Db) => trx.selectFrom('accounts').selectAll().orderBy('id').execute();

/**
 * Writes an account's settings as given (identifiers normalised, JSON columns serialised, risk
 * thresholds merged into those set before) and returns the row as stored. `since`: the account's
 * own time, from which monthly statements count when they are turned on.
 */
export const updateAccountSettings = (
  trx: Db,
  id: string,
  data: AccountUpdate,
  at: { since: Date | null; now: Date },
) =>
  trx
    .updateTable('accounts')
    .set({
      ...data,
      ...(data.vat_number && { vat_number: normalizeVat(data.vat_number) }),
      ...(data.registration_number && { registration_number: data.registration_number.replace(/\s/g, '') }),
      ...(data.billing_address !== undefined && { billing_address: JSON.stringify(data.billing_address) }),
      ...(data.policy_rules !== undefined && { policy_rules: JSON.stringify(data.policy_rules) }),
      ...(data.portal_plan_min_installment !== undefined && {
        portal_plan_min_installment: JSON.stringify(data.portal_plan_min_installment),
      }),
      ...(data.risk_thresholds !== undefined && {
        // Merged into what the account set before: a PATCH names the thresholds it changes.
        risk_thresholds:
          data.risk_thresholds === null
            ? null
            : sql`coalesce(risk_thresholds, '{}'::jsonb) || ${JSON.stringify(data.risk_thresholds)}::jsonb`,
      }),
      // When monthly statements were turned on: the first goes on the next statement day.
      ...(data.monthly_statements === true && {
        monthly_statements_since: sql`CASE WHEN monthly_statements THEN monthly_statements_since ELSE ${at.since}::timestamptz END`,
      }),
      updated_at: at.now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** Checks the transaction's deferred foreign keys now, so that a violation is reported before COMMIT. */
export async function checkDeferredKeysNow(trx: Db): Promise<void> {
  await sql`SET CONSTRAINTS ALL IMMEDIATE`.execute(trx);
}

/** Which of these reminder policies the account has. */
export const existingPolicyIds = (trx: Db, accountId: string, ids: readonly string[]) =>
  trx.selectFrom('reminder_policies').select('id').where('account_id', '=', accountId).where('id', 'in', ids).execute();

/** The accounts sending monthly statements, among those `inScope` (a condition on `a`, the accounts). */
export const accountsWithMonthlyStatements = (trx: Db, inScope: RawBuilder<boolean>) =>
  trx.selectFrom('accounts as a').selectAll().where('a.monthly_statements', '=', true).where(inScope).execute();

/** Every customer with a balance has the statement of `month` (or it is on its way); never moves back. */
export async function markMonthlyStatementsDone(trx: Db, accountId: string, month: string): Promise<void> {
  await trx
    .updateTable('accounts')
    .set({ monthly_statements_done: month })
    .where('id', '=', accountId)
    .where((eb) => eb.or([eb('monthly_statements_done', 'is', null), eb('monthly_statements_done', '<', month)]))
    .execute();
}
