import Type from 'typebox';
import { CustomerCreate } from '../customers/index.ts';
import {
  Amount,
  CalendarDate,
  Currency,
  expandQuery,
  Id,
  Metadata,
  MetadataFilter,
  Nullable,
  Timestamp,
  Url,
} from '../shared/index.ts';

export const InvoiceStatus = Type.Enum(['draft', 'open', 'partially_paid', 'paid', 'void', 'uncollectible']);
export type InvoiceStatus = Type.Static<typeof InvoiceStatus>;

export const LineItemInput = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 500 }),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
    unit_amount: Amount,
  },
  { additionalProperties: false },
);
export type LineItemInput = Type.Static<typeof LineItemInput>;

export const LineItem = Type.Object(
  {
    description: Type.String(),
    quantity: Type.Integer(),
    unit_amount: Type.Integer(),
    amount: Type.Integer({ description: 'quantity × unit_amount' }),
  },
  { additionalProperties: false },
);
export type LineItem = Type.Static<typeof LineItem>;

export const Invoice = Type.Object(
  {
    id: Id('inv'),
    object: Type.Literal('invoice'),
    number: Type.String(),
    external_id: Nullable(Type.String()),
    customer_id: Id('cus'),
    status: InvoiceStatus,
    currency: Type.String(),
    subtotal: Type.Integer(),
    tax: Type.Integer(),
    total: Type.Integer(),
    late_fees: Type.Integer(),
    late_fees_by_kind: Type.Object(
      {
        interest: Type.Integer({ description: 'Interest lines, all accruals together.' }),
        recovery_fee: Type.Integer({
          description: 'The fixed recovery fee (statutory or custom, whether added when late or at a reminder step).',
        }),
      },
      {
        additionalProperties: false,
        description:
          "`late_fees` by kind, in the invoice currency's minor unit: waived lines excluded, so the parts add up to `late_fees`.",
      },
    ),
    einvoice_status: Nullable(
      Type.Integer({
        description:
          'The latest e-invoicing lifecycle status its platform reported (France: 200 Déposée … 212 Encaissée); see `POST /v1/invoices/{id}/einvoice_statuses`.',
      }),
    ),
    einvoice_status_on: Nullable(CalendarDate),
    late_fees_skipped: Nullable(
      Type.Object(
        {
          reason: Type.Literal('consumer'),
          preset: Type.String({ description: 'The business-only preset that was not applied: `fr_b2b`…' }),
        },
        {
          additionalProperties: false,
          description:
            "Why this invoice's statutory late fees were not applied: the account's default terms name a B2B preset, and the customer is a consumer.",
        },
      ),
    ),
    amount_paid: Type.Integer(),
    amount_credited: Type.Integer(),
    balance: Type.Integer({ description: 'total + late_fees − amount_paid − amount_credited' }),
    issue_date: CalendarDate,
    due_date: CalendarDate,
    overdue: Type.Boolean({ description: "Balance above zero and the due date passed, in the account's time zone." }),
    days_overdue: Type.Integer({ minimum: 0 }),
    payment_terms_id: Nullable(Type.String()),
    reminder_policy_id: Nullable(
      Type.String({
        description: "This invoice's own reminder policy; null follows the customer's, then the account default.",
      }),
    ),
    disputed: Type.Boolean({ description: 'An open dispute holds every reminder until it is resolved.' }),
    pause: Nullable(
      Type.Object(
        {
          until: Nullable(CalendarDate),
          reason: Nullable(Type.String()),
          source: Type.Enum(['invoice', 'customer'], {
            description: "Paused on this invoice, or for all of its customer's invoices.",
          }),
        },
        {
          additionalProperties: false,
          description: 'Reminders are paused until this date (included), or until resumed when `until` is null.',
        },
      ),
    ),
    promise_to_pay_on: Nullable(
      Type.String({ format: 'date', description: 'A promised payment date: reminders wait until two days after it.' }),
    ),
    active_payment_plan_id: Nullable(
      Type.String({ description: 'The payment plan in force: reminders follow its installments. Null when none.' }),
    ),
    payment_url: Nullable(Type.String()),
    pdf_url: Nullable(Type.String()),
    memo: Nullable(Type.String()),
    metadata: Metadata,
    line_items: Type.Array(LineItem),
    finalized_at: Nullable(Timestamp),
    voided_at: Nullable(Timestamp),
    marked_uncollectible_at: Nullable(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
    customer: Type.Optional(Type.Ref('Customer', { description: 'The customer, with `expand[]=customer`.' })),
    payments: Type.Optional(
      Type.Array(Type.Ref('Payment'), {
        description: 'Payments allocated (now or once) to this invoice, newest first, with `expand[]=payments`.',
      }),
    ),
    fees: Type.Optional(
      Type.Array(Type.Ref('InvoiceFee'), { description: 'Its late-fee lines, oldest first, with `expand[]=fees`.' }),
    ),
  },
  { $id: 'Invoice', additionalProperties: false },
);
export type Invoice = Type.Static<typeof Invoice>;

const editable = {
  external_id: Type.Optional(
    Nullable(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'Your order id: registering it twice returns the first invoice.',
      }),
    ),
  ),
  currency: Type.Optional(Currency),
  subtotal: Type.Optional(Amount),
  tax: Type.Optional(Amount),
  total: Type.Optional(Amount),
  issue_date: Type.Optional(CalendarDate),
  due_date: Type.Optional(CalendarDate),
  payment_terms_id: Type.Optional(Nullable(Id('pt'))),
  reminder_policy_id: Type.Optional(Nullable(Id('rp'))),
  payment_url: Type.Optional(Nullable(Url)),
  pdf_url: Type.Optional(Nullable(Url)),
  memo: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  metadata: Type.Optional(Metadata),
  line_items: Type.Optional(Type.Array(LineItemInput, { maxItems: 200 })),
};

export const InvoiceCreate = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 64, description: 'Your invoice number, unique in the account.' }),
    status: Type.Optional(
      Type.Enum(['draft', 'open'], {
        default: 'open',
        description: '`open` (the default) starts the follow-up at once; a `draft` waits for finalize.',
      }),
    ),
    customer_id: Type.Optional(Id('cus')),
    customer: Type.Optional(
      Type.Object(
        { ...CustomerCreate.properties, external_id: Type.String({ minLength: 1, maxLength: 128 }) },
        {
          additionalProperties: false,
          description: 'Instead of customer_id: the customer with this external_id, created with these fields if new.',
        },
      ),
    ),
    ...editable,
  },
  { $id: 'InvoiceCreate', additionalProperties: false },
);
export type InvoiceCreate = Type.Static<typeof InvoiceCreate>;

export const InvoiceUpdate = Type.Object(
  { number: Type.Optional(InvoiceCreate.properties.number), customer_id: Type.Optional(Id('cus')), ...editable },
  { $id: 'InvoiceUpdate', additionalProperties: false, minProperties: 1 },
);
export type InvoiceUpdate = Type.Static<typeof InvoiceUpdate>;

/** What `expand[]` may include in an invoice. */
export const INVOICE_EXPANSIONS = ['customer', 'payments', 'fees'] as const;
export type InvoiceExpansion = (typeof INVOICE_EXPANSIONS)[number];

export const InvoiceListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    starting_after: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(InvoiceStatus),
    customer_id: Type.Optional(Type.String({ maxLength: 64 })),
    external_id: Type.Optional(Type.String({ maxLength: 128 })),
    overdue: Type.Optional(
      Type.Boolean({ description: "Only overdue (true) or not overdue (false) invoices, in the account's time zone." }),
    ),
    due_date_from: Type.Optional(
      Type.String({
        format: 'date',
        description:
          'Only invoices due on or after this date. A list filtered by due date is ordered by due date, latest first (then newest first).',
      }),
    ),
    due_date_to: Type.Optional(
      Type.String({
        format: 'date',
        description:
          'Only invoices due on or before this date. A list filtered by due date is ordered by due date, latest first (then newest first).',
      }),
    ),
    metadata: MetadataFilter,
    expand: expandQuery(INVOICE_EXPANSIONS),
  },
  { additionalProperties: false },
);
export type InvoiceListQuery = Type.Static<typeof InvoiceListQuery>;

export const InvoiceGetQuery = Type.Object(
  { expand: expandQuery(INVOICE_EXPANSIONS) },
  { additionalProperties: false },
);
export type InvoiceGetQuery = Type.Static<typeof InvoiceGetQuery>;
