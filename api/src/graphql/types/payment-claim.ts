import type {
  PaymentClaim,
  PaymentClaimCreate,
  PaymentClaimListQuery,
  PaymentClaimReject,
} from '../../domain/claims/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { listType, pageArgs } from './common.ts';

export const PaymentClaimStatus = builder.enumType('PaymentClaimStatus', {
  description:
    "`OPEN`: the invoice's reminders wait until `holdUntil` while someone checks; `CONFIRMED`: a payment was recorded on the invoice; `REJECTED`: no such payment, reminders resumed; `EXPIRED`: the hold passed unconfirmed.",
  values: {
    OPEN: { value: 'open' },
    CONFIRMED: { value: 'confirmed' },
    REJECTED: { value: 'rejected' },
    EXPIRED: { value: 'expired' },
  } as const,
});

export const PaymentClaimSource = builder.enumType('PaymentClaimSource', {
  description:
    "`PAGE`: the customer said so on its page; `API`: recorded through the API; `EINVOICE`: the buyer's e-invoicing platform reported the payment sent (211).",
  values: { API: { value: 'api' }, PAGE: { value: 'page' }, EINVOICE: { value: 'einvoice' } } as const,
});

export const PaymentClaimRef = builder.objectRef<PaymentClaim>('PaymentClaim').implement({
  description: 'The customer says it already paid an invoice: its reminders wait while someone checks.',
  fields: (t) => ({
    id: t.exposeID('id'),
    invoiceId: t.exposeID('invoice_id'),
    customerId: t.exposeID('customer_id'),
    status: t.expose('status', { type: PaymentClaimStatus }),
    source: t.expose('source', { type: PaymentClaimSource }),
    paidOn: t.expose('paid_on', { type: 'Date' }),
    amount: t.exposeInt('amount', { description: 'Minor units of `currency`.' }),
    currency: t.exposeString('currency'),
    reference: t.exposeString('reference', { nullable: true }),
    note: t.exposeString('note', { nullable: true }),
    holdUntil: t.expose('hold_until', { type: 'Date' }),
    taskId: t.exposeID('task_id', { nullable: true }),
    paymentId: t.exposeID('payment_id', { nullable: true, description: 'The payment that confirmed the claim.' }),
    resolutionNote: t.exposeString('resolution_note', { nullable: true }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
    resolvedAt: t.expose('resolved_at', { type: 'DateTime', nullable: true }),
  }),
});

const PaymentClaimList = listType('PaymentClaim', PaymentClaimRef);

const CreatePaymentClaimInput = builder.inputType('CreatePaymentClaimInput', {
  description: 'What the customer says it paid: `invoiceId`, `paidOn` and `amount` are required.',
  fields: (t) => ({
    invoiceId: t.id({ required: true }),
    paidOn: t.field({ type: 'Date', required: true, description: 'Today or earlier.' }),
    amount: t.int({ required: true, description: "Minor units of the invoice's currency." }),
    currency: t.string({ description: "The invoice's currency, when given." }),
    reference: t.string(),
    note: t.string(),
  }),
});

const RejectPaymentClaimInput = builder.inputType('RejectPaymentClaimInput', {
  fields: (t) => ({ note: t.string() }),
});

builder.queryFields((t) => ({
  paymentClaim: t.field({
    type: PaymentClaimRef,
    nullable: true,
    description: 'A payment claim of this account, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.paymentClaims.get(actor, String(id))),
  }),
  paymentClaims: t.field({
    type: PaymentClaimList,
    description: 'Payment claims, newest first.',
    args: {
      ...pageArgs,
      status: t.arg({ type: PaymentClaimStatus }),
      invoiceId: t.arg.id({ description: 'Only claims on this invoice.' }),
      customerId: t.arg.id({ description: 'Only claims of this customer.' }),
    },
    resolve: (_root, args, { actor, services }) =>
      services.paymentClaims.list(actor, toListQuery<PaymentClaimListQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  createPaymentClaim: t.field({
    type: PaymentClaimRef,
    description:
      "Records that the customer says it paid: the invoice's reminders wait for `paymentClaimHoldDays` while a task asks someone to check.",
    args: { input: t.arg({ type: CreatePaymentClaimInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) =>
      services.paymentClaims.create(actor, toServiceInput<PaymentClaimCreate>(input)),
  }),
  rejectPaymentClaim: t.field({
    type: PaymentClaimRef,
    description: "Rejects an open claim (no such payment): the invoice's reminders resume.",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: RejectPaymentClaimInput }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.paymentClaims.reject(actor, String(id), toServiceInput<PaymentClaimReject>(input ?? {})),
  }),
}));
