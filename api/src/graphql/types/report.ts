import type { AgingReport, DsoReport } from '../../domain/reports/index.ts';
import { builder } from '../builder.ts';

type AgingRow = AgingReport['totals'][number];
type DsoRow = DsoReport['currencies'][number];

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
}));
