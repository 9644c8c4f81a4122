import { sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { AppError, notFound } from '../../errors.ts';
import { addDays, daysBetween, todayIn } from '../calendar.ts';
import { accountTime, type Actor, CHASED_STATUSES_SQL } from '../shared/index.ts';
import { agingEdges, bucketNames, dso } from './report.rules.ts';
import {
  type AgingQuery,
  AgingQuery as AgingQuerySchema,
  type AgingReport,
  type DsoQuery,
  DsoQuery as DsoQuerySchema,
  type DsoReport,
  type Statement,
  StatementQuery,
} from './report.schemas.ts';
import { buildStatement } from './statement.rules.ts';

type AgingRow = AgingReport['totals'][number];

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
      const rows = await database.withAccount(
        actor.accountId,
        async (trx) =>
          (
            await sql<{
              currency: string;
              customer_id: string;
              customer_name: string;
              bucket: number;
              amount: string;
              invoices: string;
            }>`
            SELECT i.currency, i.customer_id, c.name AS customer_name, ${bucket} AS bucket, sum(i.balance)::bigint AS amount, count(*)::bigint AS invoices
              FROM invoices i JOIN customers c ON c.account_id = i.account_id AND c.id = i.customer_id
             WHERE i.account_id = ${actor.accountId} AND i.status IN (${CHASED_STATUSES_SQL}) AND i.balance > 0
             GROUP BY 1, 2, 3, 4`.execute(trx)
          ).rows,
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
        const name = names[row.bucket] ?? names.at(-1) ?? 'current';
        entry.buckets[name] = (entry.buckets[name] ?? 0) + Number(row.amount);
        entry.total += Number(row.amount);
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
            SELECT currency,
                   coalesce(sum(balance) FILTER (WHERE status IN (${CHASED_STATUSES_SQL}) AND balance > 0 AND issue_date <= ${today}), 0)::bigint AS receivables,
                   coalesce(sum(balance) FILTER (WHERE status IN (${CHASED_STATUSES_SQL}) AND balance > 0 AND issue_date <= ${today} AND due_date >= ${today}), 0)::bigint AS current_receivables,
                   coalesce(sum(total) FILTER (WHERE status NOT IN ('draft', 'void') AND issue_date BETWEEN ${from} AND ${today}), 0)::bigint AS credit_sales
              FROM invoices
             WHERE account_id = ${actor.accountId}
               AND ((status IN (${CHASED_STATUSES_SQL}) AND balance > 0) OR issue_date BETWEEN ${from} AND ${today})
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
