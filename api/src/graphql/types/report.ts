import type { AgingReport, DsoReport, ForecastReport } from '../../domain/reports/index.ts';
import { builder } from '../builder.ts';

type AgingRow = AgingReport['totals'][number];
type DsoRow = DsoReport['currencies'][number];
type ForecastCurrency = ForecastReport['currencies'][number];
type ForecastAmounts = ForecastCurrency['overdue'];
type ForecastWeek = ForecastCurrency['weeks'][number];

const AgingBucketRef = builder.objectRef<{ name: string; amount: number }>('AgingBucket').implement({
  description: 'One past-due bucket: `current`, `1_30`, `31_60`, `61_90`, `90_plus` with the default edges.',
  fields: (t) => ({ name: t.exposeString('name'), amount: t.expose('amount', { type: 'Amount' }) }),
});

const AgingRowRef = builder.objectRef<AgingRow & { names: string[] }>('AgingRow').implement({
  description: 'Amounts due in one currency (for one customer, in `customers`), in minor units.',
  fields: (t) => ({
    currency: t.exposeString('currency'),
    customerId: t.exposeID('customer_id', { nullable: true }),
    customerName: t.exposeString('customer_name', { nullable: true }),
    buckets: t.field({
      type: [AgingBucketRef],
      resolve: (row) => row.names.map((name) => ({ name, amount: row.buckets[name] ?? 0 })),
    }),
    total: t.expose('total', { type: 'Amount' }),
    invoices: t.exposeInt('invoices'),
  }),
});

const AgingReportRef = builder.objectRef<AgingReport>('AgingReport').implement({
  description: 'Open invoices by currency and days past due, as of today (REST: `GET /v1/reports/aging`).',
  fields: (t) => ({
    asOf: t.expose('as_of', { type: 'Date' }),
    bucketNames: t.exposeStringList('bucket_names'),
    totals: t.field({
      type: [AgingRowRef],
      resolve: (r) => r.totals.map((row) => ({ ...row, names: r.bucket_names })),
    }),
    customers: t.field({
      type: [AgingRowRef],
      nullable: true,
      resolve: (r) => r.customers?.map((row) => ({ ...row, names: r.bucket_names })) ?? null,
    }),
  }),
});

const DsoCurrencyRef = builder.objectRef<DsoRow>('DsoCurrency').implement({
  description: 'DSO figures of one currency; the formulas are in the REST description of `GET /v1/reports/dso`.',
  fields: (t) => ({
    currency: t.exposeString('currency'),
    receivables: t.expose('receivables', { type: 'Amount' }),
    currentReceivables: t.expose('current_receivables', { type: 'Amount' }),
    creditSales: t.expose('credit_sales', { type: 'Amount' }),
    dso: t.exposeFloat('dso', { nullable: true }),
    bestPossibleDso: t.exposeFloat('best_possible_dso', { nullable: true }),
    averageDaysDelinquent: t.exposeFloat('average_days_delinquent', { nullable: true }),
  }),
});

const DsoReportRef = builder.objectRef<DsoReport>('DsoReport').implement({
  description: 'Days sales outstanding over the period ending today (REST: `GET /v1/reports/dso`).',
  fields: (t) => ({
    periodFrom: t.expose('period_from', { type: 'Date' }),
    periodTo: t.expose('period_to', { type: 'Date' }),
    days: t.exposeInt('days'),
    currencies: t.field({ type: [DsoCurrencyRef], resolve: (r) => r.currencies }),
  }),
});

const ForecastAmountsRef = builder.objectRef<ForecastAmounts>('ForecastAmounts').implement({
  description: 'Expected collections in minor units, with the part from each kind of expected date.',
  fields: (t) => ({
    amount: t.expose('amount', { type: 'Amount' }),
    items: t.exposeInt('items', { description: 'Invoices and installments counted.' }),
    fromDueDates: t.field({ type: 'Amount', resolve: (a) => a.by_basis.due_date }),
    fromPromises: t.field({ type: 'Amount', resolve: (a) => a.by_basis.promise }),
    fromInstallments: t.field({ type: 'Amount', resolve: (a) => a.by_basis.installment }),
  }),
});

const ForecastWeekRef = builder.objectRef<ForecastWeek>('ForecastWeek').implement({
  description: 'One week of the forecast: week 1 is the seven days from today.',
  fields: (t) => ({
    week: t.exposeInt('week'),
    from: t.expose('from', { type: 'Date' }),
    to: t.expose('to', { type: 'Date' }),
    expected: t.field({ type: ForecastAmountsRef, resolve: (w) => w }),
  }),
});

const ForecastCurrencyRef = builder.objectRef<ForecastCurrency>('ForecastCurrency').implement({
  description: 'The forecast of one currency; amounts are never summed across currencies.',
  fields: (t) => ({
    currency: t.exposeString('currency'),
    overdue: t.field({
      type: ForecastAmountsRef,
      description: 'Expected before today and still unpaid.',
      resolve: (c) => c.overdue,
    }),
    weeks: t.field({ type: [ForecastWeekRef], resolve: (c) => c.weeks }),
    later: t.field({ type: ForecastAmountsRef, description: 'Expected after the last week.', resolve: (c) => c.later }),
    total: t.expose('total', { type: 'Amount' }),
  }),
});

const ForecastReportRef = builder.objectRef<ForecastReport>('ForecastReport').implement({
  description: 'Expected collections per week from today (REST: `GET /v1/reports/forecast`).',
  fields: (t) => ({
    asOf: t.expose('as_of', { type: 'Date' }),
    weeks: t.exposeInt('weeks'),
    currencies: t.field({ type: [ForecastCurrencyRef], resolve: (r) => r.currencies }),
  }),
});

const AgingGrouping = builder.enumType('AgingGrouping', { values: { CUSTOMER: { value: 'customer' } } as const });

builder.queryFields((t) => ({
  agingReport: t.field({
    type: AgingReportRef,
    args: {
      buckets: t.arg.string({ description: 'Upper edges in days, increasing: `30,60,90` by default.' }),
      by: t.arg({ type: AgingGrouping }),
    },
    resolve: (_root, args, { actor, services }) =>
      services.reports.aging(actor, {
        ...(args.buckets != null && { buckets: args.buckets }),
        ...(args.by != null && { by: args.by }),
      }),
  }),
  dsoReport: t.field({
    type: DsoReportRef,
    args: { days: t.arg.int({ description: 'Length of the period ending today (7 to 366; 90 by default).' }) },
    resolve: (_root, args, { actor, services }) =>
      services.reports.dso(actor, { ...(args.days != null && { days: args.days }) }),
  }),
  forecastReport: t.field({
    type: ForecastReportRef,
    args: { weeks: t.arg.int({ description: 'Number of weeks from today (1 to 26; 13 by default).' }) },
    resolve: (_root, args, { actor, services }) =>
      services.reports.forecast(actor, { ...(args.weeks != null && { weeks: args.weeks }) }),
  }),
}));
