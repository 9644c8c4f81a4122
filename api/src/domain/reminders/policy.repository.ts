import { type Insertable, type RawBuilder, type Selectable, sql, type Updateable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { ReminderPolicies } from '../../store/db-types.ts';
import { keysetPage, type PageRequest } from '../shared/index.ts';

// Every query on `reminder_policies`, with the caller's transaction first.

export type PolicyRow = Selectable<ReminderPolicies>;

/**
 * The policy an invoice follows, in SQL over an invoice, its customer and its account (their
 * aliases): the invoice's own, else its customer's, else the account's first matching rule
 * (`policy_by_rule`, on the customer's risk level in force, its kind, the invoice's currency and
 * total; skipped at no cost for accounts without rules), else the account default. The one
 * place that says it: planning, the policy lookup and the replan of a changed policy all use it.
 */
export function policyIdOf(aliases: { invoice: string; customer: string; account: string }): RawBuilder<string> {
  const i = (column: string) => sql.ref(`${aliases.invoice}.${column}`);
  const c = (column: string) => sql.ref(`${aliases.customer}.${column}`);
  const a = (column: string) => sql.ref(`${aliases.account}.${column}`);
  return sql<string>`coalesce(${i('reminder_policy_id')}, ${c('reminder_policy_id')},
    CASE WHEN ${a('policy_rules')} IS NOT NULL
         THEN policy_by_rule(${a('policy_rules')}, coalesce(${c('risk_override_level')}, ${c('risk_level')}), ${c('kind')}, ${i('currency')}, ${i('total')}) END,
    ${a('default_reminder_policy_id')})`;
}

export function insertPolicy(trx: Db, values: Insertable<ReminderPolicies>): Promise<PolicyRow> {
  return trx.insertInto('reminder_policies').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findPolicy(trx: Db, id: string): Promise<PolicyRow | undefined> {
  return trx.selectFrom('reminder_policies').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A page of the account's policies, oldest first (one row more than the page: `toPage` says whether more follow). */
export function listPolicies(trx: Db, page: PageRequest): Promise<PolicyRow[]> {
  return keysetPage(trx.selectFrom('reminder_policies').selectAll(), page, { direction: 'asc' }).execute();
}

export function updatePolicy(trx: Db, id: string, set: Updateable<ReminderPolicies>): Promise<PolicyRow> {
  return trx.updateTable('reminder_policies').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deletePolicy(trx: Db, id: string): Promise<void> {
  await trx.deleteFrom('reminder_policies').where('id', '=', id).execute();
}

export async function policiesById(
  trx: Db,
  accountId: string,
  ids: readonly string[],
): Promise<Map<string, PolicyRow>> {
  if (ids.length === 0) return new Map();
  return new Map(
    (
      await trx
        .selectFrom('reminder_policies')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('id', 'in', ids)
        .execute()
    ).map((p) => [p.id, p]),
  );
}

/** The policy each of these invoices follows (its own, its customer's, the account default), in one query. */
export async function policiesForInvoices(
  trx: Db,
  accountId: string,
  invoiceIds: string[],
): Promise<Map<string, PolicyRow>> {
  if (invoiceIds.length === 0) return new Map();
  const rows = await trx
    .selectFrom('invoices')
    .innerJoin('customers', 'customers.id', 'invoices.customer_id')
    .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
    .innerJoin('reminder_policies', (join) =>
      join
        .onRef('reminder_policies.account_id', '=', 'invoices.account_id')
        .on((eb) =>
          eb(
            'reminder_policies.id',
            '=',
            policyIdOf({ invoice: 'invoices', customer: 'customers', account: 'accounts' }),
          ),
        ),
    )
    .selectAll('reminder_policies')
    .select('invoices.id as invoice_id')
    .where('invoices.account_id', '=', accountId)
    .where('invoices.id', 'in', invoiceIds)
    .execute();
  return new Map(rows.map(({ invoice_id, ...policy }) => [invoice_id, policy]));
}

/** Whether some policy of the account groups reminders by customer (checked before widening a batch). */
export async function anyGroupingPolicy(trx: Db, accountId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('reminder_policies')
    .select('id')
    .where('account_id', '=', accountId)
    .where('grouping', '=', 'customer')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The policies of the accounts in scope (`inScope`, over `accounts a`) changed since their invoices were last flagged. */
export async function policiesMarkedForReplan(trx: Db, inScope: RawBuilder<boolean>) {
  return (
    await sql<{ account_id: string; id: string }>`
        SELECT p.account_id, p.id FROM reminder_policies p JOIN accounts a ON a.id = p.account_id
         WHERE ${inScope} AND p.replan_after IS NOT NULL`.execute(trx)
  ).rows;
}

/** Locks a policy's replan mark while its invoices are flagged; none when it is cleared or held elsewhere. */
export function lockReplanMark(trx: Db, accountId: string, policyId: string) {
  return trx
    .selectFrom('reminder_policies')
    .select(['replan_after', 'invoices_to_replan'])
    .where('account_id', '=', accountId)
    .where('id', '=', policyId)
    .where('replan_after', 'is not', null)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

/** Moves a policy's replan mark past the invoices flagged (null: all are). */
export async function setReplanMark(
  trx: Db,
  accountId: string,
  policyId: string,
  mark: { replan_after: string | null | undefined; invoices_to_replan: number },
): Promise<void> {
  await trx
    .updateTable('reminder_policies')
    .set(mark)
    .where('account_id', '=', accountId)
    .where('id', '=', policyId)
    .execute();
}
