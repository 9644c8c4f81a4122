import { sql } from 'kysely';
import type pg from 'pg';
import type { Db } from '../../store/database.ts';
import { ACCOUNT_SET } from '../../store/one-statement.ts';
import { CHASED_STATUSES } from '../shared/index.ts';

// Every query on `portal_links`, and the reads of the debtor's page, with the caller's transaction first.

export type LinkRow = {
  id: string;
  customer_id: string;
  token_sealed: string;
  created_at: Date;
};

export function findLiveLink(trx: Db, accountId: string, customerId: string): Promise<LinkRow | undefined> {
  return trx
    .selectFrom('portal_links')
    .select(['id', 'customer_id', 'token_sealed', 'created_at'])
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Inserts a live link unless the customer has one (a concurrent send made it): then nothing. */
export async function insertLink(
  trx: Db,
  row: {
    account_id: string;
    id: string;
    customer_id: string;
    token_hash: string;
    token_sealed: string;
    created_at: Date;
  },
): Promise<boolean> {
  const inserted = await sql`
    INSERT INTO portal_links (account_id, id, customer_id, token_hash, token_sealed, created_at)
    VALUES (${row.account_id}, ${row.id}, ${row.customer_id}, ${row.token_hash}, ${row.token_sealed}, ${row.created_at})
    ON CONFLICT (account_id, customer_id) WHERE revoked_at IS NULL DO NOTHING`.execute(trx);
  return Number(inserted.numAffectedRows ?? 0) > 0;
}

export async function revokeLiveLink(
  trx: Db,
  accountId: string,
  customerId: string,
  now: Date,
): Promise<string | null> {
  const row = await trx
    .updateTable('portal_links')
    .set({ revoked_at: now })
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** A live link with what a visit needs of its account, and where its customer stands. */
export interface LinkByHash {
  account_id: string;
  id: string;
  customer_id: string;
  created_at: Date;
  last_viewed_at: Date | null;
  mode: string;
  time_zone: string;
  portal_enabled: boolean;
  portal_days_after_paid: number;
  /** Open invoices with something to pay. */
  owing: number;
  /** The last change of the customer's invoices (drafts aside). */
  last_change: Date | null;
  /**
   * Changes whenever anything the page shows may have: the customer's invoices (how many, their
   * balances, their last change), the account's row, the customer's row (their `xmin`: every
   * change of a row writes a new version of it, stamped with the writing transaction).
   */
  version: string;
}

// A constant text, so each connection plans it once (a named prepared statement). The link comes
// from `relance_portal_link` (security definer, migration 2026-12-11), which finds the live link
// of the hash and answers nothing else; its account is then set for the statement (see
// `one-statement.ts`) and every other row is read as that tenant, under row-level security. Each
// row is looked up in a subquery of its own (LIMIT 1: one row by its key), so the planner uses the
// link's values as index keys: joined plainly, it may scan every customer of the account by the
// policy's `account_id` alone and filter them.
const LINK_BY_HASH_SQL = `
  WITH link AS MATERIALIZED (SELECT * FROM relance_portal_link($1)),
  account_context AS MATERIALIZED (SELECT set_config('relance.account_id', link.account_id, true) AS account_id FROM link)
  SELECT l.account_id, l.id, l.customer_id, l.created_at, l.last_viewed_at, a.mode, a.time_zone,
         a.portal_enabled, a.portal_days_after_paid, s.owing::int AS owing, s.last_change,
         concat_ws('|', s.invoices, s.balance, extract(epoch FROM s.last_change), a.row_version, c.row_version) AS version
    FROM link l
   CROSS JOIN LATERAL (
     SELECT a.mode, a.time_zone, a.portal_enabled, a.portal_days_after_paid, a.xmin AS row_version
       FROM accounts a WHERE a.id = l.account_id LIMIT 1) a
   CROSS JOIN LATERAL (
     SELECT c.xmin AS row_version
       FROM customers c WHERE c.account_id = l.account_id AND c.id = l.customer_id LIMIT 1) c
   CROSS JOIN LATERAL (
     SELECT count(*) FILTER (WHERE i.status IN (${CHASED_STATUSES.map((status) => `'${status}'`).join(', ')}) AND i.balance > 0) AS owing,
            count(*) AS invoices, coalesce(sum(i.balance), 0) AS balance, max(i.updated_at) AS last_change
       FROM invoices i
      WHERE i.account_id = l.account_id AND i.customer_id = l.customer_id AND i.status <> 'draft') s
   WHERE ${ACCOUNT_SET}`;

/**
 * The live link of a token (the visitor names no account) and its customer's standing, in ONE
 * autocommit statement, one round trip: the link is found by the hash alone, then everything
 * else is read as its account's tenant.
 */
export async function findLinkByHash(pool: pg.Pool, tokenHash: string): Promise<LinkByHash | undefined> {
  const { rows } = await pool.query<LinkByHash>({
    name: 'relance_portal_visit_v1',
    text: LINK_BY_HASH_SQL,
    values: [tokenHash],
  });
  return rows[0];
}

/** Whether the customer owes something now, and when its invoices last changed. */
export async function customerStanding(
  trx: Db,
  accountId: string,
  customerId: string,
): Promise<{ owes: boolean; lastChange: Date | null }> {
  const row = await trx
    .selectFrom('invoices')
    .select((eb) => [
      eb.fn
        .countAll<string>()
        .filterWhere((f) => f.and([f('status', 'in', CHASED_STATUSES), f('balance', '>', 0)]))
        .as('owing'),
      eb.fn.max('updated_at').as('last_change'),
    ])
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .where('status', '<>', 'draft')
    .executeTakeFirst();
  return { owes: Number(row?.owing ?? 0) > 0, lastChange: (row?.last_change as Date | null) ?? null };
}

/** Notes a visit at most once an hour; true when this one is noted (it then writes `portal.viewed`). */
export async function noteView(trx: Db, accountId: string, linkId: string, now: Date): Promise<boolean> {
  const row = await trx
    .updateTable('portal_links')
    .set({ last_viewed_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', linkId)
    .where((eb) =>
      eb.or([eb('last_viewed_at', 'is', null), eb('last_viewed_at', '<', new Date(now.getTime() - 3_600_000))]),
    )
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

const INVOICE_COLUMNS = [
  'id',
  'account_id',
  'customer_id',
  'payment_terms_id',
  'number',
  'issue_date',
  'due_date',
  'currency',
  'total',
  'balance',
  'late_fees',
  'late_fees_interest',
  'late_fees_recovery_fee',
  'payment_url',
  'pdf_url',
  'status',
  'updated_at',
] as const;

/** The customer's open invoices, oldest due first, and those paid in the last 12 months (at most 100). */
export async function customerBook(trx: Db, accountId: string, customerId: string, now: Date) {
  const open = await trx
    .selectFrom('invoices')
    .select(INVOICE_COLUMNS)
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .where('status', 'in', CHASED_STATUSES)
    .where('balance', '>', 0)
    .orderBy('due_date')
    .orderBy('number')
    .execute();
  const paid = await trx
    .selectFrom('invoices')
    .select(INVOICE_COLUMNS)
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'paid')
    .where('updated_at', '>=', new Date(now.getTime() - 365 * 86_400_000))
    .orderBy('updated_at', 'desc')
    .limit(100)
    .execute();
  return { open, paid };
}

/**
 * One invoice of the customer (not a draft) with where it stands: its promise, dispute, open
 * payment claim and the installments of its active plan; undefined when it is not the customer's.
 */
export async function customerInvoice(trx: Db, accountId: string, customerId: string, invoiceId: string) {
  const invoice = await trx
    .selectFrom('invoices')
    .select([...INVOICE_COLUMNS, 'disputed', 'promise_to_pay_on', 'payment_claimed_until', 'active_payment_plan_id'])
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .where('id', '=', invoiceId)
    .where('status', '<>', 'draft')
    .executeTakeFirst();
  if (!invoice) return undefined;
  const installments = invoice.active_payment_plan_id
    ? await trx
        .selectFrom('payment_plan_installments')
        .select(['number', 'due_date', 'amount', 'paid_amount', 'status'])
        .where('account_id', '=', accountId)
        .where('plan_id', '=', invoice.active_payment_plan_id)
        .orderBy('number')
        .execute()
    : [];
  return { ...invoice, installments };
}

/** Every live link's sealed token, across accounts (the operator's key rotation). */
export function allLiveSealedTokens(trx: Db): Promise<Array<{ account_id: string; id: string; token_sealed: string }>> {
  return trx
    .selectFrom('portal_links')
    .select(['account_id', 'id', 'token_sealed'])
    .where('revoked_at', 'is', null)
    .orderBy('account_id')
    .orderBy('id')
    .execute();
}

export async function resealToken(trx: Db, accountId: string, id: string, sealed: string): Promise<void> {
  await trx
    .updateTable('portal_links')
    .set({ token_sealed: sealed })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .execute();
}

/** Whether the account shows customer pages (`portal_enabled`). */
export async function portalEnabledOf(trx: Db, accountId: string): Promise<boolean> {
  const account = await trx
    .selectFrom('accounts')
    .select('portal_enabled')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return account?.portal_enabled === true;
}

/** How many days after the last invoice is settled a link still opens. */
export async function daysAfterPaidOf(trx: Db, accountId: string): Promise<number> {
  const account = await trx
    .selectFrom('accounts')
    .select('portal_days_after_paid')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return account.portal_days_after_paid;
}

/** How many days ahead a promise made on the page may name. */
export async function promiseMaxDaysOf(trx: Db, accountId: string): Promise<number> {
  const account = await trx
    .selectFrom('accounts')
    .select('portal_promise_max_days')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return account.portal_promise_max_days;
}

/** The account's rules for plans agreed on the page without a person. */
export const portalPlanRules = (trx: Db, accountId: string) =>
  trx
    .selectFrom('accounts')
    .select(['portal_plan_max_installments', 'portal_plan_max_days', 'portal_plan_min_installment'])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();

/** The creditor's side of the page: its name, brand, contacts and promise horizon. */
export const pageCreditor = (trx: Db, accountId: string) =>
  trx
    .selectFrom('accounts')
    .select([
      'name',
      'legal_name',
      'locale',
      'brand_colour',
      'logo_url',
      'checkout_url_template',
      'payment_instructions',
      'contact_phone',
      'reply_to',
      'sender_email',
      'portal_promise_max_days',
    ])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();

/** The customer as its page names it. */
export const pageCustomer = (trx: Db, accountId: string, customerId: string) =>
  trx
    .selectFrom('customers')
    .select(['id', 'name', 'locale', 'external_id'])
    .where('account_id', '=', accountId)
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();

export async function customerExists(trx: Db, accountId: string, customerId: string): Promise<boolean> {
  const customer = await trx
    .selectFrom('customers')
    .select('id')
    .where('account_id', '=', accountId)
    .where('id', '=', customerId)
    .executeTakeFirst();
  return customer !== undefined;
}

/** Whether the invoice is one of this customer's and not a draft. */
export async function isCustomersInvoice(
  trx: Db,
  accountId: string,
  customerId: string,
  invoiceId: string,
): Promise<boolean> {
  const row = await trx
    .selectFrom('invoices')
    .select('id')
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .where('id', '=', invoiceId)
    .where('status', '<>', 'draft')
    .executeTakeFirst();
  return row !== undefined;
}
