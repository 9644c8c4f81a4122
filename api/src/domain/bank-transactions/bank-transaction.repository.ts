import { type Insertable, type Selectable, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { BankTransactionMatches, BankTransactions } from '../../store/db-types.ts';
import { PAYABLE_STATUSES } from '../payments/index.ts';
import { keysetPage } from '../shared/index.ts';
import type {
  BankTransaction,
  BankTransactionListQuery,
  BankTransactionMatch,
  BankTransactionStatus,
  MatchStatus,
} from './bank-transaction.schemas.ts';
import type { OpenInvoice, ProposedAllocation, Reason } from './matching.ts';

export type BankTransactionRow = Selectable<BankTransactions>;
export type MatchRow = Selectable<BankTransactionMatches>;

export function presentMatch(row: MatchRow): BankTransactionMatch {
  return {
    id: row.id,
    object: 'bank_transaction_match',
    rank: row.rank,
    score: row.score,
    status: row.status as MatchStatus,
    customer_id: row.customer_id,
    allocations: row.allocations as unknown as ProposedAllocation[],
    unallocated: row.unallocated,
    reasons: row.reasons as unknown as Reason[],
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function presentBankTransaction(row: BankTransactionRow, matches: readonly MatchRow[]): BankTransaction {
  return {
    id: row.id,
    object: 'bank_transaction',
    booked_on: row.booked_on,
    amount: row.amount,
    currency: row.currency,
    label: row.label,
    counterparty_name: row.counterparty_name,
    bank_reference: row.bank_reference,
    status: row.status as BankTransactionStatus,
    payment_id: row.payment_id,
    matched_at: row.matched_at?.toISOString() ?? null,
    matches: matches
      .filter((m) => m.bank_transaction_id === row.id)
      .toSorted((a, b) => a.rank - b.rank)
      .map(presentMatch),
    metadata: row.metadata as Record<string, string>,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export const findBankTransaction = (trx: Db, id: string, options: { forUpdate?: boolean } = {}) => {
  const q = trx.selectFrom('bank_transactions').selectAll().where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
};

export const matchesOf = async (trx: Db, ids: readonly string[]): Promise<MatchRow[]> =>
  ids.length === 0
    ? []
    : trx.selectFrom('bank_transaction_matches').selectAll().where('bank_transaction_id', 'in', ids).execute();

export const linesByReference = async (trx: Db, references: readonly string[]): Promise<BankTransactionRow[]> =>
  references.length === 0
    ? []
    : trx.selectFrom('bank_transactions').selectAll().where('bank_reference', 'in', references).execute();

/** One page of lines, newest first. */
export function listBankTransactions(trx: Db, query: BankTransactionListQuery) {
  let q = keysetPage(trx.selectFrom('bank_transactions').selectAll(), query);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.booked_from) q = q.where('booked_on', '>=', query.booked_from);
  if (query.booked_to) q = q.where('booked_on', '<=', query.booked_to);
  return q.execute();
}

/** The currency of the account, for a statement file whose lines name none. */
export const accountCurrency = async (trx: Db, accountId: string): Promise<string> =>
  (await trx.selectFrom('accounts').select('default_currency').where('id', '=', accountId).executeTakeFirstOrThrow())
    .default_currency;

/** Inserts bank lines; a line whose bank_reference is known is left out (the rows returned are the new ones). */
export const insertLinesOnce = (trx: Db, values: readonly Insertable<BankTransactions>[]) =>
  trx
    .insertInto('bank_transactions')
    .values(values)
    .onConflict((oc) => oc.columns(['account_id', 'bank_reference']).doNothing())
    .returningAll()
    .execute();

/** Inserts proposals, a thousand per statement. */
export async function insertMatches(
  trx: Db,
  values: readonly Insertable<BankTransactionMatches>[],
): Promise<MatchRow[]> {
  const matches: MatchRow[] = [];
  for (let start = 0; start < values.length; start += 1000) {
    matches.push(
      ...(await trx
        .insertInto('bank_transaction_matches')
        .values(values.slice(start, start + 1000))
        .returningAll()
        .execute()),
    );
  }
  return matches;
}

/** A line confirmed as this payment. */
export const markLineMatched = (trx: Db, id: string, paymentId: string, now: Date) =>
  trx
    .updateTable('bank_transactions')
    .set({ status: 'matched', payment_id: paymentId, matched_at: now, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** After a line's confirmation: the chosen proposal (`chosenId`, '' for none) confirmed, the others still proposed rejected. */
export const settleMatches = (trx: Db, lineId: string, chosenId: string, now: Date) =>
  trx
    .updateTable('bank_transaction_matches')
    .set((eb) => ({
      status: eb.case().when('id', '=', chosenId).then('confirmed').else('rejected').end(),
      updated_at: now,
    }))
    .where('bank_transaction_id', '=', lineId)
    .where((eb) => eb.or([eb('status', '=', 'proposed'), eb('id', '=', chosenId)]))
    .execute();

export const rejectMatch = (trx: Db, id: string, now: Date) =>
  trx
    .updateTable('bank_transaction_matches')
    .set({ status: 'rejected', updated_at: now })
    .where('id', '=', id)
    .execute();

/** Sets a line aside. */
export const ignoreLine = (trx: Db, id: string, now: Date) =>
  trx
    .updateTable('bank_transactions')
    .set({ status: 'ignored', updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

const OPEN_INVOICE_COLUMNS = ['id', 'number', 'customer_id', 'currency', 'balance', 'due_date'] as const;

/** Open invoices whose number has these digits (`number_digits`, indexed on open invoices). */
export async function findOpenInvoicesByDigits(trx: Db, digits: readonly string[]): Promise<OpenInvoice[]> {
  if (digits.length === 0) return [];
  return trx
    .selectFrom('invoices')
    .select(OPEN_INVOICE_COLUMNS)
    .where('status', 'in', [...PAYABLE_STATUSES])
    .where(sql<boolean>`number_digits = ANY(${sql.val([...digits])}::text[])`)
    .where('balance', '>', 0)
    .execute();
}

/**
 * Open invoices a payment of one of these amounts would pay exactly: those whose balance is the
 * amount, and those under a payment plan whose next unpaid installment still needs the amount
 * (with `next_installment_due`; `amountCandidates` in matching.ts turns both into candidates).
 */
export async function findOpenInvoicesByAmounts(trx: Db, amounts: readonly number[]): Promise<OpenInvoice[]> {
  if (amounts.length === 0) return [];
  const byBalance = await trx
    .selectFrom('invoices')
    .select(OPEN_INVOICE_COLUMNS)
    .where('status', 'in', [...PAYABLE_STATUSES])
    // A hash semi-join: `= ANY($array)` would compare every invoice with every amount.
    .where(sql<boolean>`balance IN (SELECT unnest(${sql.val([...amounts])}::bigint[]))`)
    .execute();
  const { rows: byInstallment } = await sql<OpenInvoice>`
    SELECT i.id, i.number, i.customer_id, i.currency, i.balance, i.due_date, n.due AS next_installment_due
      FROM invoices i
      JOIN LATERAL (
        SELECT x.amount - x.paid_amount AS due
          FROM payment_plan_installments x
         WHERE x.account_id = i.account_id AND x.plan_id = i.active_payment_plan_id AND x.status <> 'paid'
         ORDER BY x.number
         LIMIT 1
      ) n ON true
     WHERE i.active_payment_plan_id IS NOT NULL
       AND i.status IN (${sql.join([...PAYABLE_STATUSES])})
       AND n.due IN (SELECT unnest(${sql.val([...amounts])}::bigint[]))`.execute(trx);
  const found = new Map<string, OpenInvoice>(byBalance.map((i) => [i.id, i]));
  for (const invoice of byInstallment)
    found.set(invoice.id, {
      ...(found.get(invoice.id) ?? invoice),
      next_installment_due: invoice.next_installment_due,
    });
  return [...found.values()];
}

/**
 * The names every payer is compared with: all the account's customers (one read per batch,
 * ~10 ms for 10,000; those owing nothing simply get no proposal).
 */
export const customerNames = (trx: Db): Promise<Array<{ id: string; name: string }>> =>
  trx.selectFrom('customers').select(['id', 'name']).execute();

export async function openInvoicesOfCustomers(trx: Db, customerIds: readonly string[]): Promise<OpenInvoice[]> {
  if (customerIds.length === 0) return [];
  return trx
    .selectFrom('invoices')
    .select(OPEN_INVOICE_COLUMNS)
    .where(sql<boolean>`customer_id = ANY(${sql.val([...customerIds])}::text[])`)
    .where('status', 'in', [...PAYABLE_STATUSES])
    .where('balance', '>', 0)
    .execute();
}
