import { type Insertable, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { PaymentClaims } from '../../store/db-types.ts';
import { keysetPage } from '../shared/index.ts';
import type {
  PaymentClaim,
  PaymentClaimListQuery,
  PaymentClaimSource,
  PaymentClaimStatus,
} from './payment-claim.schemas.ts';

// Every query on `payment_claims`, and the claims' own statements on invoices and accounts, with the
// caller's transaction first.

export type PaymentClaimRow = Selectable<PaymentClaims>;

export const presentClaim = (row: PaymentClaimRow): PaymentClaim => ({
  id: row.id,
  object: 'payment_claim',
  invoice_id: row.invoice_id,
  customer_id: row.customer_id,
  status: row.status as PaymentClaimStatus,
  source: row.source as PaymentClaimSource,
  paid_on: row.paid_on,
  amount: Number(row.amount),
  currency: row.currency,
  reference: row.reference,
  note: row.note,
  hold_until: row.hold_until,
  task_id: row.task_id,
  payment_id: row.payment_id,
  resolution_note: row.resolution_note,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
  resolved_at: row.resolved_at?.toISOString() ?? null,
});

export const findClaim = (trx: Db, id: string, options: { forUpdate?: boolean } = {}) => {
  const q = trx.selectFrom('payment_claims').selectAll().where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
};

/** The open claims on these invoices, locked (the caller holds the invoices' locks). */
export function openClaimsOf(trx: Db, accountId: string, invoiceIds: readonly string[]) {
  if (invoiceIds.length === 0) return Promise.resolve([]);
  return trx
    .selectFrom('payment_claims')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('invoice_id', 'in', invoiceIds)
    .where('status', '=', 'open')
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** One page of claims, newest first, filtered. */
export function listClaims(trx: Db, query: PaymentClaimListQuery) {
  let q = keysetPage(trx.selectFrom('payment_claims').selectAll(), query);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.invoice_id) q = q.where('invoice_id', '=', query.invoice_id);
  if (query.customer_id) q = q.where('customer_id', '=', query.customer_id);
  return q.execute();
}

/** Open claims whose hold ended before their account's today, in the accounts of `inScope` (over `a`): the daily expiry. */
export async function expiredClaimCandidates(trx: Db, now: Date, inScope: RawBuilder<boolean>) {
  const { rows } = await sql<{ account_id: string; id: string; invoice_id: string; time_zone: string }>`
    SELECT c.account_id, c.id, c.invoice_id, a.time_zone
      FROM payment_claims c JOIN accounts a ON a.id = c.account_id
     WHERE c.status = 'open' AND ${inScope}
       AND c.hold_until < (${now}::timestamptz AT TIME ZONE a.time_zone)::date
       -- A constant bound (the latest date on Earth) lets the range of the partial index stop there.
       AND c.hold_until < (${now}::timestamptz AT TIME ZONE 'Etc/GMT-14')::date
     LIMIT 2000`.execute(trx);
  return rows;
}

export const insertClaim = (trx: Db, values: Insertable<PaymentClaims>) =>
  trx.insertInto('payment_claims').values(values).returningAll().executeTakeFirstOrThrow();

/** Ends a claim (`confirmed`, `rejected` or `expired`); returns the row. */
export const endClaimRow = (
  trx: Db,
  accountId: string,
  id: string,
  end: { status: string; payment_id: string | null; resolution_note: string | null },
  now: Date,
) =>
  trx
    .updateTable('payment_claims')
    .set({ ...end, resolved_at: now, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** Sets (or lifts, with null) the day through which the guard defers the invoice's reminders for a claim. */
export const holdInvoice = (trx: Db, accountId: string, invoiceId: string, until: string | null, now: Date) =>
  trx
    .updateTable('invoices')
    .set({ payment_claimed_until: until, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', invoiceId)
    .execute();

/** How many days the account's reminders wait for a claimed payment to be found. */
export async function claimHoldDaysOf(trx: Db, accountId: string): Promise<number> {
  const account = await trx
    .selectFrom('accounts')
    .select('payment_claim_hold_days')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return account.payment_claim_hold_days;
}
