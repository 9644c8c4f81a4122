import type { Clock } from '../../clock.ts';
import type { Database } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { AppError, notFound } from '../../errors.ts';
import { addDays, addMonths, daysBetween, todayIn } from '../calendar.ts';
import { accountTime, type Actor } from '../shared/index.ts';
import {
  type AgingAmounts,
  agingAmounts,
  customerLedger,
  dsoFigures,
  findStatementCustomer,
  forecastSlots,
} from './report.repository.ts';
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

/** The aging report from its rows: summed per currency (and per customer and currency with `byCustomer`). */
function agingReport(rows: readonly AgingAmounts[], names: string[], today: string, byCustomer: boolean): AgingReport {
  const add = (
    into: Map<string, AgingRow>,
    key: string,
    base: Omit<AgingRow, 'buckets' | 'total' | 'invoices'>,
    row: AgingAmounts,
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
    if (byCustomer)
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
    ...(byCustomer && {
      customers: [...customers.values()].sort(
        (a, b) => b.total - a.total || (a.customer_id ?? '').localeCompare(b.customer_id ?? ''),
      ),
    }),
  };
}

/** The aging report as CSV: one line per currency (or per customer and currency). */
function agingCsv(report: AgingReport): string {
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
}

/** A statement's entries as CSV: one line per entry, per currency, with the opening and closing balances. */
function statementCsv(statement: Statement): string {
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
}

/** The forecast from its slots: per currency, what is overdue, each week's amounts, and what comes later. */
function forecastReport(rows: Awaited<ReturnType<typeof forecastSlots>>, today: string, weeks: number): ForecastReport {
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
}

/**
 * Receivables reports of one account, computed by PostgreSQL from its open invoices (the
 * partial index on open invoices; other accounts' rows are never read). Money stays in integer
 * minor units per currency: nothing is ever summed across currencies.
 */
export function createReportService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  const timeFor = accountTime(database, clock);

  return {
    agingCsv,
    statementCsv,

    /** Amounts due by currency and past-due bucket (and per customer with `by=customer`), as of today. */
    async aging(actor: Actor, input: AgingQuery): Promise<AgingReport> {
      const query = parseInput<AgingQuery>(AgingQuerySchema, input);
      const edges = agingEdges(query.buckets);
      const names = bucketNames(edges);
      const { today } = await timeFor(actor);
      const rows = await database.withAccount(actor.accountId, (trx) =>
        agingAmounts(trx, actor.accountId, { today, edges, names, byCustomer: query.by === 'customer' }),
      );
      return agingReport(rows, names, today, query.by === 'customer');
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
        const customer = await findStatementCustomer(trx, accountId, customerId);
        if (!customer) throw notFound('customer', customerId);
        const { invoices, fees, payments, allocations } = await customerLedger(trx, accountId, customerId);
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
      const rows = await database.withAccount(account, (trx) => forecastSlots(trx, account, { today, since, weeks }));
      return forecastReport(rows, today, weeks);
    },

    /** DSO, best possible DSO and average days delinquent per currency over the `days` days ending today. */
    async dso(actor: Actor, input: DsoQuery): Promise<DsoReport> {
      const query = parseInput<DsoQuery>(DsoQuerySchema, input);
      const days = query.days ?? 90;
      const { today } = await timeFor(actor);
      const from = addDays(today, -(days - 1));
      const rows = await database.withAccount(actor.accountId, (trx) =>
        dsoFigures(trx, actor.accountId, { today, from }),
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
