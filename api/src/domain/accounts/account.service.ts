import { sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { constraintOf, isForeignKeyViolation } from '../../store/pg-errors.ts';
import { type ApiKeyWithSecret, insertApiKey } from '../api-keys/index.ts';
import { type RiskThresholds, thresholdsOf } from '../behaviour/index.ts';
import { BUILTIN_PAYMENT_TERMS, DEFAULT_TERMS_CODE } from '../payment-terms/index.ts';
import { insertDefaultPolicy, markPoliciesForReplan, type PolicyRule } from '../reminders/index.ts';
import { accountTime, type Actor, assertWriteAccess, checkIdentity, normalizeVat } from '../shared/index.ts';
import { parseInput } from '../../validation.ts';
import { type Account, AccountCreate, AccountUpdate } from './account.schemas.ts';

type AccountRow = Awaited<ReturnType<typeof selectAccount>>;

const selectAccount = (trx: Db, id: string) =>
  trx.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

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

export function createAccountService(deps: {
  database: Database;
  clock: Clock;
  onAccountChanged?: (id: string) => void;
}) {
  const { database, clock } = deps;
  return {
    /**
     * Creates an account with the built-in payment terms (Net 30 as its default) and a first
     * API key, whose secret is returned once. Operator-level: not reachable with an API key.
     */
    create(input: AccountCreate): Promise<{ account: Account; api_key: ApiKeyWithSecret }> {
      const data = parseInput<AccountCreate>(AccountCreate, input);
      const now = clock.now();
      const accountId = newId('account');
      const mode = data.mode ?? 'live';
      return database.withSystem(async (trx) => {
        await trx
          .insertInto('accounts')
          .values({
            id: accountId,
            name: data.name,
            mode,
            default_currency: data.default_currency ?? 'EUR',
            locale: data.locale ?? 'en',
            time_zone: data.time_zone ?? 'UTC',
            created_at: now,
            updated_at: now,
          })
          .execute();
        const terms = BUILTIN_PAYMENT_TERMS.map((t) => ({
          account_id: accountId,
          id: newId('paymentTerms'),
          code: t.code,
          name: t.name,
          rule_kind: t.rule.kind,
          rule_days: 'days' in t.rule ? t.rule.days : 0,
          builtin: true,
          created_at: now,
          updated_at: now,
        }));
        await trx.insertInto('payment_terms').values(terms).execute();
        await trx
          .updateTable('accounts')
          .set({ default_payment_terms_id: terms.find((t) => t.code === DEFAULT_TERMS_CODE)?.id ?? null })
          .where('id', '=', accountId)
          .execute();
        const policyId = await insertDefaultPolicy(trx, accountId, now);
        await trx
          .updateTable('accounts')
          .set({ default_reminder_policy_id: policyId })
          .where('id', '=', accountId)
          .execute();
        const api_key = await insertApiKey(trx, accountId, mode, { name: 'Default key', admin: true }, now);
        return { account: presentAccount(await selectAccount(trx, accountId)), api_key };
      });
    },

    /** How many accounts exist (operator-level). */
    async count(): Promise<number> {
      const row = await database.withSystem((trx) =>
        trx
          .selectFrom('accounts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      );
      return Number(row.n);
    },

    /** Every account, oldest first (operator-level, for the command line). */
    listAll(): Promise<Account[]> {
      return database.withSystem(async (trx) =>
        (await trx.selectFrom('accounts').selectAll().orderBy('id').execute()).map(presentAccount),
      );
    },

    get(actor: Actor): Promise<Account> {
      return database.withAccount(actor.accountId, async (trx) =>
        presentAccount(await selectAccount(trx, actor.accountId)),
      );
    },

    /** Updates the account's settings (time zone, sender, payment instructions…). */
    async update(actor: Actor, patch: AccountUpdate): Promise<Account> {
      assertWriteAccess(actor);
      const data = parseInput<AccountUpdate>(AccountUpdate, patch);
      // The account's own time (a test account's clock): the monthly statements count from it.
      const since = data.monthly_statements === true ? (await accountTime(database, clock)(actor)).now : null;
      try {
        const account = await database.withAccount(actor.accountId, async (trx) => {
          const row = await trx
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
                monthly_statements_since: sql`CASE WHEN monthly_statements THEN monthly_statements_since ELSE ${since}::timestamptz END`,
              }),
              updated_at: clock.now(),
            })
            .where('id', '=', actor.accountId)
            .returningAll()
            .executeTakeFirstOrThrow();
          if (row.daytime_from_hour >= row.daytime_until_hour)
            throw new AppError(
              'account/invalid_daytime',
              422,
              `Texts and calls would have no hours: daytime_from_hour (${row.daytime_from_hour}) must come before daytime_until_hour (${row.daytime_until_hour}).`,
              {
                errors: [
                  {
                    field: data.daytime_from_hour !== undefined ? '/daytime_from_hour' : '/daytime_until_hour',
                    message: 'leaves no hours between daytime_from_hour and daytime_until_hour',
                  },
                ],
              },
            );
          // Checked as stored (a new number against the stored country); a refusal rolls back.
          checkIdentity({
            registration_number: row.registration_number,
            vat_number: row.vat_number,
            billing_address: row.billing_address as Account['billing_address'],
          });
          // Deferred foreign key: check it now so the error is ours, not COMMIT's.
          await sql`SET CONSTRAINTS ALL IMMEDIATE`.execute(trx);
          if (data.policy_rules !== undefined) {
            const named = [...new Set(data.policy_rules.map((r) => r.policy_id))];
            const found =
              named.length === 0
                ? new Set<string>()
                : new Set(
                    (
                      await trx
                        .selectFrom('reminder_policies')
                        .select('id')
                        .where('account_id', '=', actor.accountId)
                        .where('id', 'in', named)
                        .execute()
                    ).map((p) => p.id),
                  );
            const missing = data.policy_rules.flatMap((r, k) =>
              found.has(r.policy_id)
                ? []
                : [{ field: `/policy_rules/${k}/policy_id`, message: 'no such reminder policy in this account' }],
            );
            if (missing.length > 0)
              throw new AppError(
                'account/unknown_policy',
                422,
                'A policy rule names a reminder policy this account does not have.',
                {
                  errors: missing,
                },
              );
            const bounds = data.policy_rules.flatMap((r, k) =>
              r.amount_min !== undefined && r.amount_max !== undefined && r.amount_min > r.amount_max
                ? [{ field: `/policy_rules/${k}/amount_max`, message: 'must be at least amount_min' }]
                : [],
            );
            if (bounds.length > 0)
              throw new AppError('account/invalid_policy_rule', 422, 'A policy rule can match no amount.', {
                errors: bounds,
              });
            // Invoices may now follow another policy: the workers replan them, in batches.
            await markPoliciesForReplan(trx, actor.accountId);
          }
          return presentAccount(await selectAccount(trx, actor.accountId));
        });
        deps.onAccountChanged?.(actor.accountId);
        return account;
      } catch (error) {
        if (isForeignKeyViolation(error) && String(constraintOf(error)).includes('reminder')) {
          throw new AppError(
            'reminder_policy/not_found',
            404,
            `No reminder policy found with id '${data.default_reminder_policy_id}' in this account.`,
          );
        }
        if (isForeignKeyViolation(error)) {
          throw new AppError(
            'payment_terms/not_found',
            404,
            `No payment terms found with id '${data.default_payment_terms_id}' in this account.`,
          );
        }
        throw error;
      }
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
