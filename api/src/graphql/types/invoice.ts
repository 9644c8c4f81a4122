import type { Invoice, InvoiceCreate, InvoiceListQuery, InvoiceUpdate, LineItem } from '../../domain/invoices/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { listType, pageArgs } from './common.ts';
import { CreateCustomerInput } from './customer.ts';

const LateFeesSkippedRef = builder.objectRef<NonNullable<Invoice['late_fees_skipped']>>('LateFeesSkipped').implement({
  description: "Why an invoice's statutory late fees were not applied.",
  fields: (t) => ({
    reason: t.exposeString('reason', { description: '`consumer`: business-only fees never apply to a consumer.' }),
    preset: t.exposeString('preset', {
      description: 'The preset not applied: `fr_b2b`, `eu_b2b`, `uk_b2b`, `de_b2b`, `ie_b2b`.',
    }),
  }),
});

const LateFeesByKindRef = builder.objectRef<Invoice['late_fees_by_kind']>('LateFeesByKind').implement({
  description: '`lateFees` by kind, in minor units of the invoice currency; waived lines excluded.',
  fields: (t) => ({
    interest: t.expose('interest', { type: 'Amount', description: 'Interest lines, all accruals together.' }),
    recoveryFee: t.expose('recovery_fee', { type: 'Amount', description: 'The fixed recovery fee.' }),
  }),
});

export const InvoiceStatus = builder.enumType('InvoiceStatus', {
  description:
    'Where an invoice is in its life: `DRAFT` → `OPEN` → (`PARTIALLY_PAID`) → `PAID`, or `VOID`, or `UNCOLLECTIBLE`.',
  values: {
    DRAFT: { value: 'draft' },
    OPEN: { value: 'open' },
    PARTIALLY_PAID: { value: 'partially_paid' },
    PAID: { value: 'paid' },
    VOID: { value: 'void' },
    UNCOLLECTIBLE: { value: 'uncollectible' },
  } as const,
});

const LineItemRef = builder.objectRef<LineItem>('LineItem').implement({
  fields: (t) => ({
    description: t.exposeString('description'),
    quantity: t.exposeInt('quantity'),
    unitAmount: t.expose('unit_amount', { type: 'Amount' }),
    amount: t.expose('amount', { type: 'Amount', description: 'quantity × unitAmount' }),
  }),
});

/** A pause of reminders: until a date (included), or until resumed. */
export const PauseRef = builder
  .objectRef<{ until: string | null; reason: string | null; source?: 'invoice' | 'customer' }>('Pause')
  .implement({
    fields: (t) => ({
      until: t.expose('until', { type: 'Date', nullable: true, description: 'Last paused day; null: until resumed.' }),
      reason: t.exposeString('reason', { nullable: true }),
      source: t.string({
        nullable: true,
        description: "On an invoice: `invoice` (its own pause) or `customer` (all of its customer's invoices).",
        resolve: (pause) => pause.source ?? null,
      }),
    }),
  });

export const InvoiceRef = builder.objectRef<Invoice>('Invoice').implement({
  description: 'An invoice Relance follows until it is paid. Amounts are in minor units of `currency`.',
  fields: (t) => ({
    id: t.exposeID('id'),
    number: t.exposeString('number'),
    externalId: t.exposeString('external_id', { nullable: true, description: 'Your order id.' }),
    customerId: t.exposeID('customer_id'),
    status: t.expose('status', { type: InvoiceStatus }),
    currency: t.exposeString('currency'),
    subtotal: t.expose('subtotal', { type: 'Amount' }),
    tax: t.expose('tax', { type: 'Amount' }),
    total: t.expose('total', { type: 'Amount' }),
    lateFees: t.expose('late_fees', { type: 'Amount' }),
    lateFeesByKind: t.field({
      type: LateFeesByKindRef,
      description: '`lateFees` by kind (interest, fixed recovery fee): the parts add up to `lateFees`.',
      resolve: (invoice) => invoice.late_fees_by_kind,
    }),
    einvoiceStatus: t.exposeInt('einvoice_status', {
      nullable: true,
      description: 'The latest e-invoicing lifecycle status code its platform reported.',
    }),
    einvoiceStatusOn: t.exposeString('einvoice_status_on', { nullable: true }),
    lateFeesSkipped: t.field({
      type: LateFeesSkippedRef,
      nullable: true,
      description:
        "Set when the statutory late fees were not applied: the account's default names a B2B preset, and the customer is a consumer.",
      resolve: (invoice) => invoice.late_fees_skipped,
    }),
    amountPaid: t.expose('amount_paid', { type: 'Amount' }),
    amountCredited: t.expose('amount_credited', { type: 'Amount' }),
    balance: t.expose('balance', { type: 'Amount', description: 'total + lateFees − amountPaid − amountCredited' }),
    issueDate: t.expose('issue_date', { type: 'Date' }),
    dueDate: t.expose('due_date', { type: 'Date' }),
    overdue: t.exposeBoolean('overdue', {
      description: "Balance above zero and the due date passed, in the account's time zone.",
    }),
    daysOverdue: t.exposeInt('days_overdue'),
    paymentTermsId: t.exposeID('payment_terms_id', { nullable: true }),
    reminderPolicyId: t.exposeID('reminder_policy_id', {
      nullable: true,
      description: "Its own reminder policy; null follows the customer's, then the account default.",
    }),
    disputed: t.exposeBoolean('disputed', {
      description: 'An open dispute holds every reminder until it is resolved.',
    }),
    pause: t.expose('pause', {
      type: PauseRef,
      nullable: true,
      description: 'Reminders are paused until this date (included), or until resumed.',
    }),
    promiseToPayOn: t.expose('promise_to_pay_on', {
      type: 'Date',
      nullable: true,
      description: 'A promised payment date: reminders wait until two days after it.',
    }),
    activePaymentPlanId: t.exposeID('active_payment_plan_id', {
      nullable: true,
      description: 'The payment plan in force: reminders follow its installments.',
    }),
    paymentUrl: t.exposeString('payment_url', { nullable: true }),
    pdfUrl: t.exposeString('pdf_url', { nullable: true }),
    memo: t.exposeString('memo', { nullable: true }),
    metadata: t.expose('metadata', { type: 'Metadata' }),
    lineItems: t.expose('line_items', { type: [LineItemRef] }),
    finalizedAt: t.expose('finalized_at', { type: 'DateTime', nullable: true }),
    voidedAt: t.expose('voided_at', { type: 'DateTime', nullable: true }),
    markedUncollectibleAt: t.expose('marked_uncollectible_at', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

export const InvoiceList = listType('Invoice', InvoiceRef);

const CreateInvoicePayload = builder
  .objectRef<{ invoice: Invoice; created: boolean }>('CreateInvoicePayload')
  .implement({
    fields: (t) => ({
      invoice: t.expose('invoice', { type: InvoiceRef }),
      created: t.exposeBoolean('created', {
        description: 'False when an invoice with this `externalId` already existed: it is returned as it is.',
      }),
    }),
  });

const LineItemInput = builder.inputType('LineItemInput', {
  fields: (t) => ({
    description: t.string(),
    quantity: t.int({ description: 'Default 1.' }),
    unitAmount: t.field({ type: 'Amount' }),
  }),
});

// Optional in the SDL: the service checks what is required and consistent (amounts, dates,
// customer), so GraphQL and REST give the same code and field pointer for the same input.
function invoiceInput(name: string, description: string, creating: boolean) {
  return builder.inputType(name, {
    description,
    fields: (t) => ({
      number: t.string({ description: 'Your invoice number, unique in the account.' }),
      ...(creating && {
        status: t.field({
          type: InvoiceStatus,
          description: '`OPEN` (the default) starts the follow-up at once; a `DRAFT` waits for finalize.',
        }),
        customer: t.field({
          type: CreateCustomerInput,
          description:
            'Instead of customerId: the customer with this `externalId` (required here), created with these fields if new.',
        }),
      }),
      customerId: t.id(),
      externalId: t.string({ description: 'Your order id: registering it twice returns the first invoice.' }),
      currency: t.string({
        description: creating ? 'ISO 4217 code; the account default if absent.' : 'ISO 4217 code.',
      }),
      subtotal: t.field({ type: 'Amount' }),
      tax: t.field({ type: 'Amount' }),
      total: t.field({ type: 'Amount' }),
      issueDate: t.field({
        type: 'Date',
        description: creating ? "Today in the account's time zone if absent." : undefined,
      }),
      dueDate: t.field({
        type: 'Date',
        description: creating
          ? 'Computed from the payment terms if absent.'
          : 'Recomputed from the payment terms when the issue date, terms or customer change without it.',
      }),
      paymentTermsId: t.id(),
      reminderPolicyId: t.id({
        description: "Its own reminder policy (otherwise the customer's, then the account default).",
      }),
      paymentUrl: t.string(),
      pdfUrl: t.string(),
      memo: t.string(),
      metadata: t.field({ type: 'Metadata' }),
      lineItems: t.field({ type: [LineItemInput] }),
    }),
  });
}

const CreateInvoiceInput = invoiceInput(
  'CreateInvoiceInput',
  'An invoice to register: `number` and one of `customerId` or `customer` are required.',
  true,
);
const UpdateInvoiceInput = invoiceInput('UpdateInvoiceInput', 'The fields of a draft to change (at least one).', false);

builder.queryFields((t) => ({
  invoice: t.field({
    type: InvoiceRef,
    nullable: true,
    description: 'An invoice of this account, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.invoices.get(actor, String(id))),
  }),
  invoices: t.field({
    type: InvoiceList,
    description: 'Invoices, newest first.',
    args: {
      ...pageArgs,
      status: t.arg({ type: InvoiceStatus }),
      customerId: t.arg.id(),
      externalId: t.arg.string(),
      overdue: t.arg.boolean({
        description: "Only overdue (true) or not overdue (false) invoices, in the account's time zone.",
      }),
      dueDateFrom: t.arg({ type: 'Date', description: 'Due on or after this date.' }),
      dueDateTo: t.arg({ type: 'Date', description: 'Due on or before this date.' }),
    },
    resolve: (_root, args, { actor, services }) => services.invoices.list(actor, toListQuery<InvoiceListQuery>(args)),
  }),
}));

builder.mutationFields((t) => {
  const byId = { id: t.arg.id({ required: true }) };
  return {
    createInvoice: t.field({
      type: CreateInvoicePayload,
      description:
        'Registers an invoice (open by default). An `externalId` already registered returns that invoice with `created: false`.',
      args: { input: t.arg({ type: CreateInvoiceInput, required: true }) },
      resolve: (_root, { input }, { actor, services }) =>
        services.invoices.create(actor, toServiceInput<InvoiceCreate>(input)),
    }),
    updateInvoice: t.field({
      type: InvoiceRef,
      description: 'Edits a draft; amounts and the due date are recomputed from what changed.',
      args: { ...byId, input: t.arg({ type: UpdateInvoiceInput, required: true }) },
      resolve: (_root, { id, input }, { actor, services }) =>
        services.invoices.update(actor, String(id), toServiceInput<InvoiceUpdate>(input)),
    }),
    finalizeInvoice: t.field({
      type: InvoiceRef,
      description: 'Draft → open: the follow-up starts.',
      args: byId,
      resolve: (_root, { id }, { actor, services }) => services.invoices.finalize(actor, String(id)),
    }),
    voidInvoice: t.field({
      type: InvoiceRef,
      description: 'Draft or open → void: never owed, never chased again.',
      args: byId,
      resolve: (_root, { id }, { actor, services }) => services.invoices.void(actor, String(id)),
    }),
    markInvoiceUncollectible: t.field({
      type: InvoiceRef,
      description: 'Open or partially paid → uncollectible: written off, no longer chased.',
      args: byId,
      resolve: (_root, { id }, { actor, services }) => services.invoices.markUncollectible(actor, String(id)),
    }),
  };
});
