import { type Insertable, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { StatementMailings } from '../../store/db-types.ts';
import { CHASED_STATUSES_SQL } from '../shared/index.ts';
import type { StatementMailing } from './statement-mailing.schemas.ts';

export type MailingRow = Selectable<StatementMailings>;

/** Which accounts a pass covers: those on the system clock, or one account (a test clock); as the reminders' scheduler. */
export type StatementScope = { kind: 'live'; now: Date } | { kind: 'account'; accountId: string; now: Date };

export const presentMailing = (row: MailingRow, documentId: string | null): StatementMailing => ({
  id: row.id,
  object: 'statement_mailing',
  customer_id: row.customer_id,
  month: row.month,
  period_from: row.period_from,
  period_to: row.period_to,
  status: row.status as StatementMailing['status'],
  reason: row.reason,
  message_id: row.message_id,
  document_id: documentId,
  created_at: row.created_at.toISOString(),
});

/** The accounts of a scope, as a condition on `a` (the accounts). */
export const inScope = (scope: StatementScope): RawBuilder<boolean> =>
  scope.kind === 'live'
    ? sql<boolean>`(a.mode = 'live' OR NOT EXISTS (SELECT 1 FROM account_clocks c WHERE c.account_id = a.id))`
    : sql<boolean>`a.id = ${scope.accountId}`;

/** The account's default reminder policy, whose send time and days off the statements follow. */
export const defaultPolicyOf = (trx: Db, accountId: string, policyId: string) =>
  trx
    .selectFrom('reminder_policies')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', policyId)
    .executeTakeFirst();

/** Customers of the account with an open balance and no statement of `month` yet, in id order. */
export async function statementCandidates(trx: Db, accountId: string, month: string, batch: number): Promise<string[]> {
  return (
    await sql<{ id: string }>`
        SELECT c.id FROM customers c
         WHERE c.account_id = ${accountId} AND c.erased_at IS NULL
           AND EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = c.account_id AND i.customer_id = c.id
                        AND i.status IN (${CHASED_STATUSES_SQL}) AND i.balance > 0)
           AND NOT EXISTS (SELECT 1 FROM statement_mailings m WHERE m.account_id = c.account_id AND m.customer_id = c.id
                        AND m.month = ${month})
         ORDER BY c.id LIMIT ${batch}`.execute(trx)
  ).rows.map((r) => r.id);
}

/** Inserts the statement of a customer and month unless it exists (the unique row decides); undefined if it did. */
export const insertMailingOnce = (trx: Db, values: Insertable<StatementMailings>) =>
  trx
    .insertInto('statement_mailings')
    .values(values)
    .onConflict((oc) => oc.constraint('statement_mailings_once').doNothing())
    .returningAll()
    .executeTakeFirst();

/** Leases up to `batch` statements left `sending` past their lease until `until`, skipping those another worker holds. */
export const takeOverMailings = (trx: Db, accountId: string, now: Date, until: Date, batch: number) =>
  trx
    .updateTable('statement_mailings')
    .set({ claimed_until: until, updated_at: now })
    .where('account_id', '=', accountId)
    .where('status', '=', 'sending')
    .where('claimed_until', '<=', now)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('statement_mailings')
        .select('id')
        .where('account_id', '=', accountId)
        .where('status', '=', 'sending')
        .where('claimed_until', '<=', now)
        .limit(batch)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();

export async function setMailingMessage(
  trx: Db,
  accountId: string,
  id: string,
  messageId: string,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('statement_mailings')
    .set({ message_id: messageId, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .execute();
}

/** Ends a statement still `sending` as sent or failed; undefined if it was no longer sending. */
export const settleMailingRow = (
  trx: Db,
  mailing: MailingRow,
  status: 'sent' | 'failed',
  reason: string | null,
  now: Date,
) =>
  trx
    .updateTable('statement_mailings')
    .set({ status, reason, claimed_until: null, attempts: mailing.attempts + 1, updated_at: now })
    .where('account_id', '=', mailing.account_id)
    .where('id', '=', mailing.id)
    .where('status', '=', 'sending')
    .returningAll()
    .executeTakeFirst();

export const lockMailing = (trx: Db, accountId: string, id: string) =>
  trx
    .selectFrom('statement_mailings')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow();

/** A statement the provider said "not now" to: one more attempt counted, its lease moved to `until`. */
export async function deferMailing(
  trx: Db,
  accountId: string,
  id: string,
  set: { attempts: number; reason: string; until: Date; now: Date },
): Promise<void> {
  await trx
    .updateTable('statement_mailings')
    .set({ attempts: set.attempts, reason: set.reason, claimed_until: set.until, updated_at: set.now })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .execute();
}
