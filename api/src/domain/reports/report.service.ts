import { sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { AppError, notFound } from '../../errors.ts';
import { addDays, addMonths, daysBetween, todayIn } from '../calendar.ts';
import { accountTime, type Actor, CHASED_STATUSES_SQL } from '../shared/index.ts';
import { agingEdges, bucketNames, dso } from './report.rules.ts';
import {
  type AgingQuery,
  AgingQuery as AgingQuerySchema,
  type AgingReport,
  type DsoQuery,
  DsoQuery as DsoQuerySchema,
  type DsoReport,
  type ForecastQuery,
  ForecastQuery as ForecastQuerySchema,
  type ForecastReport,
  type Statement,
  StatementQuery,
} from './report.schemas.ts';
import { buildStatement } from './statement.rules.ts';

type AgingRow = AgingReport['totals'][number];
type ForecastAmounts = ForecastReport['currencies'][number]['overdue'];
type Basis = keyof ForecastAmounts['by_basis'];

/**
 * Receivables reports of one account, computed by PostgreSQL from its open invoices (the
 * partial index on open invoices; other accounts' rows are never read). Money stays in integer
 * minor units per currency: nothing is ever summed across currencies.
 */
export function createReportService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  const timeFor = accountTime(database, clock);

  return {
    /** Amounts due by currency and past-due bucket (and per customer with `by=customer`), as of today. */
    async aging(actor: Actor, input: AgingQuery): Promise<AgingReport> {
      const query = parseInput<AgingQuery>(AgingQuerySchema, input);
      const edges = agingEdges(query.buckets);
      const names = bucketNames(edges);
      const { today } = await timeFor(actor);
      const bucket = sql<number>`CASE WHEN ${sql.lit(today)}::date - i.due_date <= 0 THEN 0 ${sql.join(
        edges.map(
          (edge, k) => sql`WHEN ${sql.lit(today)}::date - i.due_date <= ${sql.lit(edge)} THEN ${sql.lit(k + 1)}`,
        ),
        sql` `,
      )} ELSE ${sql.lit(edges.length + 1)} END`;
      // Totals read only the covering index of open invoices; per customer, the amounts are
      // summed per bucket before the customers' names are joined (one row per customer and currency).
      const chased = sql`i.account_id = ${actor.accountId} AND i.status IN (${CHASED_STATUSES_SQL}) AND i.balance > 0`;
      const rows = await database.withAccount(actor.accountId, async (trx) =>
        query.by === 'customer'
          ? (
              await sql<{
                currency: string;
                customer_id: string;
                customer_name: string;
                amounts: string[];
                invoices: string;
              }>`
              SELECT g.currency, g.customer_id, c.name AS customer_name, g.amounts, g.invoices
                FROM (SELECT o.currency, o.customer_id, count(*)::bigint AS invoices,
                             array[${sql.join(names.map((_, k) => sql`coalesce(sum(o.balance) FILTER (WHERE o.bucket = ${sql.lit(k)}), 0)::bigint`))}] AS amounts
                        FROM (SELECT i.currency, i.customer_id, i.balance, ${bucket} AS bucket FROM invoices i WHERE ${chased}) o
                       GROUP BY 1, 2) g
                JOIN customers c ON c.account_id = ${actor.accountId} AND c.id = g.customer_id`.execute(trx)
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
            })),
      );
      const add = (
        into: Map<string, AgingRow>,
        key: string,
        base: Omit<AgingRow, 'buckets' | 'total' | 'invoices'>,
        row: (typeof rows)[number],
      ) => {
        const entry = into.get(key) ?? {
          ...base,
          buckets: Object.fromEntries(names.map((n) => [n, 0])),
          total: 0,
          invoices: 0,
        };
        names.forEach((name, k) => {
          const amount = Number(row.amounts[k] ?? 0);
          entry.buckets[name] = (entry.buckets[name] ?? 0) + amount;
          entry.total += amount;
        });
        entry.invoices += Number(row.invoices);
        into.set(key, entry);
      };
      const totals = new Map<string, AgingRow>();
      const customers = new Map<string, AgingRow>();
      for (const row of rows) {
        add(totals, row.currency, { currency: row.currency }, row);
        if (query.by === 'customer')
          add(
            customers,
            `${row.customer_id} ${row.currency}`,
            { currency: row.currency, customer_id: row.customer_id, customer_name: row.customer_name },
            row,
          );
      }
      return {
        object: 'aging_report',
        as_of: today,
        bucket_names: names,
        totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
        ...(query.by === 'customer' && {
          customers: [...customers.values()].sort(
            (a, b) => b.total - a.total || (a.customer_id ?? '').localeCompare(b.customer_id ?? ''),
          ),
        }),
      };
    },

    /** The aging report as CSV: one line per currency (or per customer and currency). */
    agingCsv(report: AgingReport): string {
      const rows = report.customers ?? report.totals;
      const withCustomer = report.customers !== undefined;
      const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
      const header = [
        ...(withCustomer ? ['customer_id', 'customer_name'] : []),
        'currency',
        ...report.bucket_names,
        'total',
        'invoices',
      ];
      const lines = rows.map((row) =>
        [
          ...(withCustomer ? [row.customer_id ?? '', quote(row.customer_name ?? '')] : []),
          row.currency,
          ...report.bucket_names.map((n) => String(row.buckets[n] ?? 0)),
          String(row.total),
          String(row.invoices),
        ].join(','),
      );
      return `${[header.join(','), ...lines].join('\n')}\n`;
    },

    /**
     * A customer's statement of account from `from` to `to` (both included; by default the month
     * so far): per currency, the balance before, every invoice, fee, payment, void, waiver and
     * reversal with the running balance, the balance at the end, and the aging of the invoices
     * still owed then. Timestamps count on their day in the account's time zone.
     */
    async statement(actor: Actor, customerId: string, input: StatementQuery): Promise<Statement> {
      const query = parseInput<StatementQuery>(StatementQuery, input);
      const edges = agingEdges(query.buckets);
      const { today } = await timeFor(actor);
      const to = query.to ?? today;
      const from = query.from ?? `${to.slice(0, 7)}-01`;
      if (from > to || daysBetween(from, to) > 3660)
        throw new AppError(
          'statement/invalid_period',
          422,
          `The period ${from} to ${to} must run forward, at most ten years.`,
          {
            errors: [
              { field: query.from ? '/from' : '/to', message: 'must be on or before `to`, within ten years of it' },
            ],
          },
        );
      const zone = actor.timeZone;
      const day = (at: Date | null) => (at ? todayIn(at, zone) : null);
      const accountId = actor.accountId;
      const ledger = await database.withAccount(accountId, async (trx) => {
        const customer = await trx
          .selectFrom('customers')
          .select(['id', 'name'])
          .where('account_id', '=', accountId)
          .where('id', '=', customerId)
          .executeTakeFirst();
        if (!customer) throw notFound('customer', customerId);
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
        return {
          customer,
          invoices: invoices.map(({ voided_at, ...i }) => ({ ...i, voided_on: day(voided_at) })),
          fees: fees.map(({ waived_at, ...f }) => ({ ...f, waived_on: day(waived_at) })),
          payments: payments.map(({ reversed_at, ...p }) => ({ ...p, reversed_on: day(reversed_at) })),
          allocations: allocations.map(({ reversed_at, ...a }) => ({ ...a, reversed_on: day(reversed_at) })),
        };
      });
      return {
        object: 'statement',
        customer_id: ledger.customer.id,
        customer_name: ledger.customer.name,
        from,
        to,
        bucket_names: bucketNames(edges),
        currencies: buildStatement(ledger, { from, to }, edges),
      };
    },

    /** A statement's entries as CSV: one line per entry, per currency, with the opening and closing balances. */
    statementCsv(statement: Statement): string {
      const lines = ['currency,date,kind,reference,period_from,period_to,debit,credit,balance'];
      const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
      for (const c of statement.currencies) {
        lines.push([c.currency, statement.from, 'opening_balance', '', '', '', '', '', c.opening_balance].join(','));
        for (const e of c.entries)
          lines.push(
            [
              c.currency,
              e.date,
              e.kind,
              quote(e.reference),
              e.period_from ?? '',
              e.period_to ?? '',
              e.debit,
              e.credit,
              e.balance,
            ].join(','),
          );
        lines.push([c.currency, statement.to, 'closing_balance', '', '', '', '', '', c.closing_balance].join(','));
      }
      return `${lines.join('\n')}\n`;
    },

    /**
     * Expected collections per week for `weeks` weeks from today, per currency. Each open amount
     * has an expected date: an unpaid payment-plan installment its due date, an invoice with a
     * promise the promised date, any other invoice its due date; each is shifted by the
     * customer's own average lateness in that currency (the `average_days_late` of its payment
     * behaviour: paid invoices of the last 12 months, weighted by amount, rounded to whole days),
     * read from the kept behaviour (`customer_lateness`) where it is at the customer's current
     * version and computed here for the others.
     * What was expected before today and is still unpaid is `overdue`, not spread over the weeks.
     */
    async forecast(actor: Actor, input: ForecastQuery): Promise<ForecastReport> {
      const query = parseInput<ForecastQuery>(ForecastQuerySchema, input);
      const weeks = query.weeks ?? 13;
      const { today } = await timeFor(actor);
      const since = addDays(addMonths(today, -12), 1);
      const account = actor.accountId;
      const rows = await database.withAccount(
        account,
        async (trx) =>
          (
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
          ).rows,
      );
      const empty = (): ForecastAmounts => ({
        amount: 0,
        items: 0,
        by_basis: { due_date: 0, promise: 0, installment: 0 },
      });
      const currencies = new Map<string, ForecastReport['currencies'][number]>();
      for (const row of rows) {
        let entry = currencies.get(row.currency);
        if (!entry) {
          entry = {
            currency: row.currency,
            overdue: empty(),
            weeks: Array.from({ length: weeks }, (_, k) => ({
              week: k + 1,
              from: addDays(today, 7 * k),
              to: addDays(today, 7 * k + 6),
              ...empty(),
            })),
            later: empty(),
            total: 0,
          };
          currencies.set(row.currency, entry);
        }
        const slot = Number(row.slot);
        const into = slot < 0 ? entry.overdue : slot >= weeks ? entry.later : entry.weeks[slot];
        if (!into) continue;
        const amount = Number(row.amount);
        into.amount += amount;
        into.items += Number(row.items);
        into.by_basis[row.basis] += amount;
        entry.total += amount;
      }
      return { object: 'forecast_report', as_of: today, weeks, currencies: [...currencies.values()] };
    },

    /** DSO, best possible DSO and average days delinquent per currency over the `days` days ending today. */
    async dso(actor: Actor, input: DsoQuery): Promise<DsoReport> {
      const query = parseInput<DsoQuery>(DsoQuerySchema, input);
      const days = query.days ?? 90;
      const { today } = await timeFor(actor);
      const from = addDays(today, -(days - 1));
      const rows = await database.withAccount(
        actor.accountId,
        async (trx) =>
          (
            await sql<{ currency: string; receivables: string; current_receivables: string; credit_sales: string }>`
            WITH parts AS (
              -- Every open amount, from the index of open invoices alone (index-only).
              SELECT currency, sum(balance) AS receivables,
                     sum(balance) FILTER (WHERE due_date >= ${today}) AS current_receivables, NULL::numeric AS credit_sales
                FROM invoices
               WHERE account_id = ${actor.accountId} AND status IN (${CHASED_STATUSES_SQL}) AND balance > 0
               GROUP BY currency
              UNION ALL
              -- From the index by issue date: the period's sales, and the open amounts issued after
              -- today taken back out (not receivable yet; due on or after issue, so not current either).
              SELECT currency,
                     -sum(balance) FILTER (WHERE issue_date > ${today} AND status IN (${CHASED_STATUSES_SQL}) AND balance > 0),
                     -sum(balance) FILTER (WHERE issue_date > ${today} AND status IN (${CHASED_STATUSES_SQL}) AND balance > 0),
                     sum(total) FILTER (WHERE issue_date <= ${today} AND status NOT IN ('draft', 'void'))
                FROM invoices
               WHERE account_id = ${actor.accountId} AND issue_date >= ${from}
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
          ).rows,
      );
      return {
        object: 'dso_report',
        period_from: from,
        period_to: today,
        days,
        currencies: rows.map((row) => {
          const figures = {
            receivables: Number(row.receivables),
            currentReceivables: Number(row.current_receivables),
            creditSales: Number(row.credit_sales),
            days,
          };
          return {
            currency: row.currency,
            receivables: figures.receivables,
            current_receivables: figures.currentReceivables,
            credit_sales: figures.creditSales,
            ...dso(figures),
          };
        }),
      };
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
