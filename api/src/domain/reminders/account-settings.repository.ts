import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';

// The reminders module's reads of its account's row (time zone, mode, default policy, rules),
// with the caller's transaction first. The accounts module's door cannot serve them: it imports
// this module's.

/** The transaction's own account (its row-level security leaves only that one). */
export const currentAccount = (trx: Db) => trx.selectFrom('accounts').selectAll().executeTakeFirstOrThrow();

/** The transaction's own account: its mode and time zone, what "now" and "today" depend on. */
export const currentAccountTime = (trx: Db) =>
  trx.selectFrom('accounts').select(['id', 'mode', 'time_zone']).executeTakeFirstOrThrow();

/** An account's mode and time zone, what "now" and "today" depend on. */
export const accountTime = (trx: Db, accountId: string) =>
  trx.selectFrom('accounts').select(['id', 'mode', 'time_zone']).where('id', '=', accountId).executeTakeFirstOrThrow();

/** An account's mode, what "now" depends on. */
export const accountMode = (trx: Db, accountId: string) =>
  trx.selectFrom('accounts').select(['id', 'mode']).where('id', '=', accountId).executeTakeFirstOrThrow();

/** The transaction's account's default reminder policy, if any. */
export const defaultPolicyId = async (trx: Db): Promise<string | null> =>
  (await trx.selectFrom('accounts').select('default_reminder_policy_id').executeTakeFirst())
    ?.default_reminder_policy_id ?? null;

/** Whether a policy rule of the account names the policy. */
export async function policyNamedByRules(trx: Db, accountId: string, policyId: string): Promise<boolean> {
  const ruled = await trx
    .selectFrom('accounts')
    .select('id')
    .where('id', '=', accountId)
    .where(sql<boolean>`policy_rules @> ${JSON.stringify([{ policy_id: policyId }])}::jsonb`)
    .executeTakeFirst();
  return ruled !== undefined;
}
