import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database } from '../../store/database.ts';
import { constraintOf, isForeignKeyViolation } from '../../store/pg-errors.ts';
import { type ApiKeyWithSecret, insertApiKey } from '../api-keys/index.ts';
import { BUILTIN_PAYMENT_TERMS, DEFAULT_TERMS_CODE, insertBuiltinPaymentTerms } from '../payment-terms/index.ts';
import { insertDefaultPolicy, markPoliciesForReplan } from '../reminders/index.ts';
import { accountTime, type Actor, assertWriteAccess, checkIdentity } from '../shared/index.ts';
import { parseInput } from '../../validation.ts';
import {
  checkDeferredKeysNow,
  countAccounts,
  existingPolicyIds,
  getAccount,
  insertAccount,
  listAllAccounts,
  presentAccount,
  setDefaultPaymentTerms,
  setDefaultReminderPolicy,
  updateAccountSettings,
} from './account.repository.ts';
import { type Account, AccountCreate, AccountUpdate } from './account.schemas.ts';

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
        await insertAccount(trx, {
          id: accountId,
          name: data.name,
          mode,
          default_currency: data.default_currency ?? 'EUR',
          locale: data.locale ?? 'en',
          time_zone: data.time_zone ?? 'UTC',
          created_at: now,
          updated_at: now,
        });
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
        await insertBuiltinPaymentTerms(trx, terms);
        await setDefaultPaymentTerms(trx, accountId, terms.find((t) => t.code === DEFAULT_TERMS_CODE)?.id ?? null);
        const policyId = await insertDefaultPolicy(trx, accountId, now);
        await setDefaultReminderPolicy(trx, accountId, policyId);
        const api_key = await insertApiKey(trx, accountId, mode, { name: 'Default key', admin: true }, now);
        return { account: presentAccount(await getAccount(trx, accountId)), api_key };
      });
    },

    /** How many accounts exist (operator-level). */
    async count(): Promise<number> {
      const row = await database.withSystem(countAccounts);
      return Number(row.n);
    },

    /** Every account, oldest first (operator-level, for the command line). */
    listAll(): Promise<Account[]> {
      return database.withSystem(async (trx) => (await listAllAccounts(trx)).map(presentAccount));
    },

    get(actor: Actor): Promise<Account> {
      return database.withAccount(actor.accountId, async (trx) =>
        presentAccount(await getAccount(trx, actor.accountId)),
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
          const row = await updateAccountSettings(trx, actor.accountId, data, { since, now: clock.now() });
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
          await checkDeferredKeysNow(trx);
          if (data.policy_rules !== undefined) {
            const named = [...new Set(data.policy_rules.map((r) => r.policy_id))];
            const found =
              named.length === 0
                ? new Set<string>()
                : new Set((await existingPolicyIds(trx, actor.accountId, named)).map((p) => p.id));
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
          return presentAccount(await getAccount(trx, actor.accountId));
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
