import Type from 'typebox';
import { CalendarDate } from '../shared/index.ts';

export const AgingQuery = Type.Object(
  {
    buckets: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          'Upper edges of the past-due buckets in days, increasing: `30,60,90` (the default) gives current, 1–30, 31–60, 61–90 and 90+.',
      }),
    ),
    by: Type.Optional(
      Type.Enum(['customer'], { description: '`customer`: one row per customer and currency as well as the totals.' }),
    ),
    format: Type.Optional(
      Type.Enum(['json', 'csv'], {
        description:
          '`csv`: the rows as a CSV document (one line per currency, or per customer and currency with `by=customer`).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AgingQuery = Type.Static<typeof AgingQuery>;

const Buckets = Type.Record(Type.String(), Type.Integer(), {
  description:
    'Amount due (minor units) per bucket: `current`, `1_30`, `31_60`, `61_90`, `90_plus` with the default edges.',
});

export const AgingRow = Type.Object(
  {
    currency: Type.String(),
    customer_id: Type.Optional(Type.String()),
    customer_name: Type.Optional(Type.String()),
    buckets: Buckets,
    total: Type.Integer({ description: 'Sum of the buckets: everything still due, late fees included.' }),
    invoices: Type.Integer({ description: 'Open invoices counted.' }),
  },
  { additionalProperties: false },
);

export const AgingReport = Type.Object(
  {
    object: Type.Literal('aging_report'),
    as_of: CalendarDate,
    bucket_names: Type.Array(Type.String()),
    totals: Type.Array(AgingRow, { description: 'One row per currency; amounts are never summed across currencies.' }),
    customers: Type.Optional(
      Type.Array(AgingRow, {
        description: 'With `by=customer`: one row per customer and currency, largest total first.',
      }),
    ),
  },
  { $id: 'AgingReport', additionalProperties: false },
);
export type AgingReport = Type.Static<typeof AgingReport>;

export const DsoQuery = Type.Object(
  {
    days: Type.Optional(
      Type.Integer({
        minimum: 7,
        maximum: 366,
        default: 90,
        description: 'Length of the period ending today, in days.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DsoQuery = Type.Static<typeof DsoQuery>;

export const DsoReport = Type.Object(
  {
    object: Type.Literal('dso_report'),
    period_from: CalendarDate,
    period_to: CalendarDate,
    days: Type.Integer(),
    currencies: Type.Array(
      Type.Object(
        {
          currency: Type.String(),
          receivables: Type.Integer({ description: 'Amount due today on invoices issued up to today.' }),
          current_receivables: Type.Integer({ description: 'The part of it not yet due.' }),
          credit_sales: Type.Integer({
            description: 'Totals of the invoices issued in the period (not void, not draft).',
          }),
          dso: Type.Union([Type.Number(), Type.Null()], {
            description: 'receivables ÷ credit_sales × days; null without sales.',
          }),
          best_possible_dso: Type.Union([Type.Number(), Type.Null()], {
            description: 'current_receivables ÷ credit_sales × days.',
          }),
          average_days_delinquent: Type.Union([Type.Number(), Type.Null()], {
            description: 'dso − best_possible_dso.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'DsoReport', additionalProperties: false },
);
export type DsoReport = Type.Static<typeof DsoReport>;

export const StatementQuery = Type.Object(
  {
    from: Type.Optional({
      ...CalendarDate,
      description: "First day of the period (default: the first of `to`'s month).",
    }),
    to: Type.Optional({
      ...CalendarDate,
      description: "Last day of the period (default: today in the account's time zone).",
    }),
    buckets: AgingQuery.properties.buckets,
    format: Type.Optional(
      Type.Enum(['json', 'csv', 'pdf'], {
        description:
          '`csv`: the entries as CSV (one line each, per currency); `pdf`: the statement as a document for the customer.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StatementQuery = Type.Static<typeof StatementQuery>;

const StatementEntry = Type.Object(
  {
    date: CalendarDate,
    kind: Type.Enum(
      ['invoice', 'interest', 'recovery_fee', 'fee_waived', 'payment', 'payment_reversed', 'invoice_voided'],
      {
        description:
          '`invoice` (its total, on its issue date), `interest` (late-payment interest, per invoice and month), `recovery_fee`, `fee_waived`, `payment` (received), `payment_reversed`, `invoice_voided`.',
      },
    ),
    reference: Type.String({ description: "The invoice's number, or the payment's reference (else its id)." }),
    invoice_id: Type.Union([Type.String(), Type.Null()]),
    payment_id: Type.Union([Type.String(), Type.Null()]),
    period_from: Type.Union([CalendarDate, Type.Null()], { description: 'Interest: the first day it covers.' }),
    period_to: Type.Union([CalendarDate, Type.Null()], { description: 'Interest: the last day it covers.' }),
    debit: Type.Integer({ description: 'What it adds to the balance (minor units).' }),
    credit: Type.Integer({ description: 'What it takes off.' }),
    balance: Type.Integer({ description: 'The running balance after it.' }),
  },
  { additionalProperties: false },
);

export const Statement = Type.Object(
  {
    object: Type.Literal('statement'),
    customer_id: Type.String(),
    customer_name: Type.String(),
    from: CalendarDate,
    to: CalendarDate,
    bucket_names: Type.Array(Type.String()),
    currencies: Type.Array(
      Type.Object(
        {
          currency: Type.String(),
          opening_balance: Type.Integer({ description: 'The balance at the end of the day before `from`.' }),
          entries: Type.Array(StatementEntry),
          closing_balance: Type.Integer({
            description: 'The balance at the end of `to`: what is owed, less payments not yet allocated.',
          }),
          aging: Type.Object(
            {
              buckets: Buckets,
              total: Type.Integer({ description: 'What the invoices still owed at the end of `to` add up to.' }),
              invoices: Type.Integer(),
            },
            { additionalProperties: false },
          ),
        },
        { additionalProperties: false },
      ),
      { description: 'One per currency the customer has movements in; never summed across currencies.' },
    ),
  },
  { $id: 'Statement', additionalProperties: false },
);
export type Statement = Type.Static<typeof Statement>;

export const ForecastQuery = Type.Object(
  {
    weeks: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 26, default: 13, description: 'Number of weeks, from today.' }),
    ),
  },
  { additionalProperties: false },
);
export type ForecastQuery = Type.Static<typeof ForecastQuery>;

const ForecastAmounts = {
  amount: Type.Integer({ description: 'Expected collections (minor units).' }),
  items: Type.Integer({ description: 'Invoices and installments counted.' }),
  by_basis: Type.Object(
    {
      due_date: Type.Integer({ description: 'From due dates of invoices without a promise or plan.' }),
      promise: Type.Integer({ description: 'From promised payment dates.' }),
      installment: Type.Integer({ description: 'From unpaid payment-plan installments.' }),
    },
    { additionalProperties: false },
  ),
};

export const ForecastReport = Type.Object(
  {
    object: Type.Literal('forecast_report'),
    as_of: CalendarDate,
    weeks: Type.Integer(),
    currencies: Type.Array(
      Type.Object(
        {
          currency: Type.String(),
          overdue: Type.Object(ForecastAmounts, {
            additionalProperties: false,
            description:
              "Still unpaid although the expected date (shifted by the customer's lateness) has passed: not spread over the weeks.",
          }),
          weeks: Type.Array(
            Type.Object(
              {
                week: Type.Integer({ description: '1 is the seven days from today.' }),
                from: CalendarDate,
                to: CalendarDate,
                ...ForecastAmounts,
              },
              { additionalProperties: false },
            ),
          ),
          later: Type.Object(ForecastAmounts, {
            additionalProperties: false,
            description: 'Expected after the last week.',
          }),
          total: Type.Integer({ description: 'overdue + every week + later: everything still due in this currency.' }),
        },
        { additionalProperties: false },
      ),
      { description: 'One per currency; amounts are never summed across currencies.' },
    ),
  },
  { $id: 'ForecastReport', additionalProperties: false },
);
export type ForecastReport = Type.Static<typeof ForecastReport>;
