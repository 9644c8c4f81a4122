import type {
  Payment,
  PaymentAllocation,
  PaymentApplyCredit,
  PaymentCreate,
  PaymentListQuery,
  PaymentReverse,
} from '../../domain/payments/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { listType, pageArgs } from './common.ts';

export const PaymentMethod = builder.enumType('PaymentMethod', {
  description: 'How the money came.',
  values: {
    TRANSFER: { value: 'transfer' },
    CARD: { value: 'card' },
    CHECK: { value: 'check' },
    CASH: { value: 'cash' },
    DIRECT_DEBIT: { value: 'direct_debit' },
    OTHER: { value: 'other' },
  } as const,
});

export const PaymentStatus = builder.enumType('PaymentStatus', {
  description: '`REVERSED`: bounced or refunded; its allocations are undone.',
  values: { SUCCEEDED: { value: 'succeeded' }, REVERSED: { value: 'reversed' } } as const,
});

export const PaymentAllocationRef = builder.objectRef<PaymentAllocation>('PaymentAllocation').implement({
  description: 'Part of a payment applied to one invoice.',
  fields: (t) => ({
    id: t.exposeID('id'),
    invoiceId: t.exposeID('invoice_id'),
    amount: t.expose('amount', { type: 'Amount' }),
    reversed: t.exposeBoolean('reversed', { description: 'Undone by the reversal of its payment.' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    reversedAt: t.expose('reversed_at', { type: 'DateTime', nullable: true }),
  }),
});

export const PaymentRef = builder.objectRef<Payment>('Payment').implement({
  description:
    'A payment received from a customer, allocated to its invoices; the rest is its credit. Amounts in minor units of `currency`.',
  fields: (t) => ({
    id: t.exposeID('id'),
    customerId: t.exposeID('customer_id'),
    amount: t.expose('amount', { type: 'Amount' }),
    currency: t.exposeString('currency'),
    receivedOn: t.expose('received_on', { type: 'Date' }),
    method: t.expose('method', { type: PaymentMethod }),
    reference: t.exposeString('reference', { nullable: true }),
    status: t.expose('status', { type: PaymentStatus }),
    amountAllocated: t.expose('amount_allocated', {
      type: 'Amount',
      description: 'Sum of the allocations still in force.',
    }),
    unallocated: t.expose('unallocated', {
      type: 'Amount',
      description: "The customer's credit left on this payment (0 once reversed).",
    }),
    allocations: t.expose('allocations', { type: [PaymentAllocationRef] }),
    reversalReason: t.exposeString('reversal_reason', { nullable: true }),
    reversedAt: t.expose('reversed_at', { type: 'DateTime', nullable: true }),
    metadata: t.expose('metadata', { type: 'Metadata' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

const PaymentList = listType('Payment', PaymentRef);

export const AllocationInput = builder.inputType('PaymentAllocationInput', {
  fields: (t) => ({ invoiceId: t.id(), amount: t.field({ type: 'Amount' }) }),
});

// Optional in the SDL: the service checks what is required, so REST and GraphQL refuse alike.
const RecordPaymentInput = builder.inputType('RecordPaymentInput', {
  description: 'A payment received: `customerId`, `amount`, `currency` and `method` are required.',
  fields: (t) => ({
    customerId: t.id(),
    amount: t.field({ type: 'Amount' }),
    currency: t.string({ description: 'ISO 4217 code.' }),
    receivedOn: t.field({ type: 'Date', description: "Today in the account's time zone if absent." }),
    method: t.field({ type: PaymentMethod }),
    reference: t.string(),
    metadata: t.field({ type: 'Metadata' }),
    allocations: t.field({
      type: [AllocationInput],
      description: 'Explicit allocations; without them, oldest due first (unless `autoAllocate: false`).',
    }),
    autoAllocate: t.boolean({
      description: 'Without `allocations`: allocate oldest due first (default true); false keeps it all as credit.',
    }),
  }),
});

const ApplyPaymentCreditInput = builder.inputType('ApplyPaymentCreditInput', {
  fields: (t) => ({ allocations: t.field({ type: [AllocationInput] }) }),
});

const ReversePaymentInput = builder.inputType('ReversePaymentInput', {
  fields: (t) => ({ reason: t.string({ description: 'Why: "transfer bounced", "refunded"…' }) }),
});

builder.queryFields((t) => ({
  payment: t.field({
    type: PaymentRef,
    nullable: true,
    description: 'A payment of this account with its allocations, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.payments.get(actor, String(id))),
  }),
  payments: t.field({
    type: PaymentList,
    description: 'Payments, newest first.',
    args: {
      ...pageArgs,
      customerId: t.arg.id(),
      invoiceId: t.arg.id({ description: 'Only payments allocated (now or once) to this invoice.' }),
      status: t.arg({ type: PaymentStatus }),
      receivedFrom: t.arg({ type: 'Date', description: 'Received on or after this date.' }),
      receivedTo: t.arg({ type: 'Date', description: 'Received on or before this date.' }),
    },
    resolve: (_root, args, { actor, services }) => services.payments.list(actor, toListQuery<PaymentListQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  recordPayment: t.field({
    type: PaymentRef,
    description:
      'Records a payment and allocates it (explicitly, or oldest due first); the rest is the customer’s credit.',
    args: { input: t.arg({ type: RecordPaymentInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) =>
      services.payments.create(actor, toServiceInput<PaymentCreate>(input)),
  }),
  applyPaymentCredit: t.field({
    type: PaymentRef,
    description: "Allocates a payment's remaining credit to invoices of the same customer and currency.",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ApplyPaymentCreditInput, required: true }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.payments.applyCredit(actor, String(id), toServiceInput<PaymentApplyCredit>(input)),
  }),
  reversePayment: t.field({
    type: PaymentRef,
    description:
      'Reverses a payment: its allocations are undone and the invoices owe again (`payment/already_reversed` the second time).',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ReversePaymentInput, required: true }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.payments.reverse(actor, String(id), toServiceInput<PaymentReverse>(input)),
  }),
}));
