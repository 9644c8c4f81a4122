import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { CHASED_STATUSES_SQL } from '../shared/index.ts';
import type { ForecastReport } from './report.schemas.ts';

// The reports are read models over the invoices, customers, payments, fees, payment plans and
// kept behaviour of one account: their queries live here, with the report they serve.

type Basis = keyof ForecastReport['currencies'][number]['overdue']['by_basis'];

/** One aging row: a currency's (or a customer's in a currency) open amounts per bucket, as strings. */
export interface AgingAmounts {
  currency: string;
  customer_id: string;
  customer_name: string;
  amounts: string[];
  invoices: string;
}

/**
 * The open amounts of an account per currency and past-due bucket (`edges` in days past due, as
 * of `today`), or per customer and currency with `byCustomer`. Totals read only the covering
 * index of open invoices; per customer, the amounts are summed per bucket before the customers'
 * names are joined (one row per customer and currency).
 */
export async function agingAmounts(
  trx: Db,
  accountId: string,
  options: { today: string; edges: readonly number[]; names: readonly string[]; byCustomer: boolean },
): Promise<AgingAmounts[]> {
  const { today, edges, names } = options;
  const bucket = sql<number>`CASE WHEN ${sql.lit(today)}::date - i.due_date <= 0 THEN 0 ${sql.join(
    edges.map((edge, k) => sql`WHEN ${sql.lit(today)}::date - i.due_date <= ${sql.lit(edge)} THEN ${sql.lit(k + 1)}`),
    sql` `,
  )} ELSE ${sql.lit(edges.length + 1)} END`;
  const chased = sql`i.account_id = ${accountId} AND i.status IN (${CHASED_STATUSES_SQL}) AND i.balance > 0`;
  return options.byCustomer
    ? (
        await sql<AgingAmounts>`
              SELECT g.currency, g.customer_id, c.name AS customer_name, g.amounts, g.invoices
                FROM (SELECT o.currency, o.customer_id, count(*)::bigint AS invoices,
                             array[${sql.join(names.map((_, k) => sql`coalesce(sum(o.balance) FILTER (WHERE o.bucket = ${sql.lit(k)}), 0)::bigint`))}] AS amounts
                        FROM (SELECT i.currency, i.customer_id, i.balance, ${bucket} AS bucket FROM invoices i WHERE ${chased}) o
                       GROUP BY 1, 2) g
                JOIN customers c ON c.account_id = ${accountId} AND c.id = g.customer_id`.execute(trx)
      ).rows
    : (
        await sql<{ currency: string; bucket: number; amount: string; invoices: string }>`
              SELECT i.currency, ${bucket} AS bucket, sum(i.balance)::bigint AS amount, count(*)::bigint AS invoices
                FROM invoices i WHERE ${chased} GROUP BY 1, 2`.execute(trx)
      ).rows.map((row) => ({
        currency: row.currency,
        customer_id: '',
        customer_name: '',
        amounts: names.map((_, k) => (k === row.bucket ? row.amount : '0')),
        invoices: row.invoices,
      }));
}

/** The customer a statement is for, if the account has it. */
export const findStatementCustomer = (trx: Db, accountId: string, customerId: string) =>
  trx
    .selectFrom('customers')
    .select(['id', 'name'])
    .where('account_id', '=', accountId)
    .where('id', '=', customerId)
    .executeTakeFirst();

/** Everything a statement of account is built from: a customer's issued invoices, their fees, the customer's payments and their allocations. */
export async function customerLedger(trx: Db, accountId: string, customerId: string) {
  const invoices = await trx
    .selectFrom('invoices')
    .select(['id', 'number', 'currency', 'issue_date', 'due_date', 'total', 'voided_at'])
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .where('status', '<>', 'draft')
    .execute();
  const invoiceIds = invoices.map((i) => i.id);
  const fees =
    invoiceIds.length === 0
      ? []
      : await trx
          .selectFrom('invoice_fees')
          .select(['invoice_id', 'kind', 'amount', 'period_from', 'period_to', 'waived_at'])
          .where('account_id', '=', accountId)
          .where('invoice_id', 'in', invoiceIds)
          .execute();
  const payments = await trx
    .selectFrom('payments')
    .select(['id', 'reference', 'currency', 'amount', 'received_on', 'reversed_at'])
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .execute();
  const allocations =
    payments.length === 0
      ? []
      : await trx
          .selectFrom('payment_allocations')
          .select(['payment_id', 'invoice_id', 'amount', 'reversed_at'])
          .where('account_id', '=', accountId)
          .where(
            'payment_id',
            'in',
            payments.map((p) => p.id),
          )
          .execute();
  return { invoices, fees, payments, allocations };
}

/**
 * The open amounts of an account by currency, basis and week slot (-1: expected before `today`;
 * `weeks`: later than the weeks shown), each shifted by its customer's average lateness over the
 * paid invoices received from `since` to `today` (see the report service's `forecast`).
 */
export async function forecastSlots(
  trx: Db,
  account: string,
  options: { today: string; since: string; weeks: number },
) {
  const { today, since, weeks } = options;
  return (
    await sql<{ currency: string; basis: Basis; slot: number; amount: string; items: string }>`
            WITH stale AS (
              -- Customers with something open whose kept behaviour is missing or older than their last
              -- payment, promise or change of an invoice: their lateness is computed here, as the
              -- behaviour computes it. The others' is read from what the workers keep. Read through the
              -- partial index of customers whose kept figures are behind (empty when all is kept).
              SELECT c.id AS customer_id FROM customers c
               WHERE c.account_id = ${account} AND c.behaviour_kept_version IS DISTINCT FROM c.behaviour_version
                 AND EXISTS (SELECT 1 FROM invoices i
                              WHERE i.account_id = ${account} AND i.customer_id = c.id
                                AND i.status IN (${CHASED_STATUSES_SQL}) AND i.balance > 0)
            ), paid AS (
              SELECT i.customer_id, i.currency, i.total, i.due_date, max(p.received_on) AS paid_on
                FROM invoices i
                JOIN payment_allocations a ON a.account_id = ${account} AND a.invoice_id = i.id AND NOT a.reversed
                JOIN payments p ON p.account_id = ${account} AND p.id = a.payment_id AND p.status = 'succeeded'
               WHERE i.account_id = ${account} AND i.status = 'paid'
                 AND i.customer_id IN (SELECT customer_id FROM stale)
               GROUP BY i.id, i.customer_id, i.currency, i.total, i.due_date
              HAVING max(p.received_on) BETWEEN ${since}::date AND ${today}::date
            ), lateness AS (
              SELECT customer_id, currency,
                     round(sum(total::numeric * greatest(paid_on - due_date, 0)) / nullif(sum(total), 0))::int AS days
                FROM paid GROUP BY 1, 2
              UNION ALL
              SELECT l.customer_id, l.currency, round(l.average_days_late)::int
                FROM customer_lateness l
               WHERE l.account_id = ${account} AND l.customer_id NOT IN (SELECT customer_id FROM stale)
            ), open AS (
              SELECT i.id, i.currency, i.balance, i.due_date, i.promise_to_pay_on, i.active_payment_plan_id,
                     coalesce(l.days, 0) AS shift
                FROM invoices i LEFT JOIN lateness l ON l.customer_id = i.customer_id AND l.currency = i.currency
               WHERE i.account_id = ${account} AND i.status IN (${CHASED_STATUSES_SQL}) AND i.balance > 0
            ), installments AS (
              SELECT o.id AS invoice_id, o.currency, o.shift, s.due_date, s.amount - s.paid_amount AS amount
                FROM open o
                JOIN payment_plan_installments s ON s.account_id = ${account} AND s.plan_id = o.active_payment_plan_id
               WHERE s.status IN ('pending', 'missed') AND s.amount > s.paid_amount
            ), planned AS (
              SELECT invoice_id, sum(amount) AS amount FROM installments GROUP BY 1
            ), shifted AS (
              SELECT currency, 'installment' AS basis, amount, due_date + shift AS on_day FROM installments
              UNION ALL
              -- What a plan does not cover (fees left out of it) is due as the invoice is.
              SELECT o.currency,
                     CASE WHEN o.promise_to_pay_on IS NULL THEN 'due_date' ELSE 'promise' END,
                     o.balance - coalesce(p.amount, 0),
                     coalesce(o.promise_to_pay_on, o.due_date) + o.shift
                FROM open o LEFT JOIN planned p ON p.invoice_id = o.id
            )
            SELECT currency, basis,
                   CASE WHEN on_day < ${today}::date THEN -1
                        ELSE least((on_day - ${today}::date) / 7, ${sql.lit(weeks)}) END AS slot,
                   sum(amount)::bigint AS amount, count(*)::bigint AS items
              FROM shifted
             WHERE amount > 0
             GROUP BY 1, 2, 3
             ORDER BY 1, 3`.execute(trx)
  ).rows;
}

/** Per currency: the open amounts as of `today` (and those not yet due), and the credit sales issued from `from` to `today`. */
export async function dsoFigures(trx: Db, accountId: string, options: { today: string; from: string }) {
  const { today, from } = options;
  return (
    await sql<{ currency: string; receivables: string; current_receivables: string; credit_sales: string }>`
            WITH parts AS (
              -- Every open amount, from the index of open invoices alone (index-only).
              SELECT currency, sum(balance) AS receivables,
                     sum(balance) FILTER (WHERE due_date >= ${today}) AS current_receivables, NULL::numeric AS credit_sales
                FROM invoices
               WHERE account_id = ${accountId} AND status IN (${CHASED_STATUSES_SQL}) AND balance > 0
               GROUP BY currency
              UNION ALL
              -- From the index by issue date: the period's sales, and the open amounts issued after
              -- today taken back out (not receivable yet; due on or after issue, so not current either).
              SELECT currency,
                     -sum(balance) FILTER (WHERE issue_date > ${today} AND status IN (${CHASED_STATUSES_SQL}) AND balance > 0),
                     -sum(balance) FILTER (WHERE issue_date > ${today} AND status IN (${CHASED_STATUSES_SQL}) AND balance > 0),
                     sum(total) FILTER (WHERE issue_date <= ${today} AND status NOT IN ('draft', 'void'))
                FROM invoices
               WHERE account_id = ${accountId} AND issue_date >= ${from}
                 AND (issue_date <= ${today} OR (status IN (${CHASED_STATUSES_SQL}) AND balance > 0))
               GROUP BY currency
            )
            SELECT currency,
                   coalesce(sum(receivables), 0)::bigint AS receivables,
                   coalesce(sum(current_receivables), 0)::bigint AS current_receivables,
                   coalesce(sum(credit_sales), 0)::bigint AS credit_sales
              FROM parts
             GROUP BY currency
             ORDER BY currency`.execute(trx)
  ).rows;
}
