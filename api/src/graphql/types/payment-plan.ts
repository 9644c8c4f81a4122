import type {
  PaymentPlan,
  PaymentPlanCancel,
  PaymentPlanCreate,
  PaymentPlanInstallment,
  PaymentPlanListQuery,
} from '../../domain/payment-plans/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { listType, pageArgs } from './common.ts';

export const PaymentPlanStatus = builder.enumType('PaymentPlanStatus', {
  description:
    '`ACTIVE` until every installment is paid (`COMPLETED`), too many are missed (`BREACHED`) or it is cancelled.',
  values: {
    ACTIVE: { value: 'active' },
    COMPLETED: { value: 'completed' },
    BREACHED: { value: 'breached' },
    CANCELLED: { value: 'cancelled' },
  } as const,
});

export const InstallmentStatus = builder.enumType('InstallmentStatus', {
  description: '`MISSED`: its date passed before it was fully paid.',
  values: { PENDING: { value: 'pending' }, PAID: { value: 'paid' }, MISSED: { value: 'missed' } } as const,
});

export const PlanLateFees = builder.enumType('PaymentPlanLateFees', {
  description:
    '`SUSPENDED`: no late fee accrues while the plan is active (those days are never charged); `ACCRUE`: fees run as usual.',
  values: { SUSPENDED: { value: 'suspended' }, ACCRUE: { value: 'accrue' } } as const,
});

const InstallmentRef = builder.objectRef<PaymentPlanInstallment>('PaymentPlanInstallment').implement({
  description: 'One dated part of a payment plan.',
  fields: (t) => ({
    number: t.exposeInt('number'),
    dueDate: t.expose('due_date', { type: 'Date' }),
    amount: t.expose('amount', { type: 'Amount' }),
    paidAmount: t.expose('paid_amount', {
      type: 'Amount',
      description: 'Received so far (payments go to installments oldest first).',
    }),
    status: t.expose('status', { type: InstallmentStatus }),
    paidAt: t.expose('paid_at', { type: 'DateTime', nullable: true }),
    missedAt: t.expose('missed_at', { type: 'DateTime', nullable: true }),
  }),
});

export const PaymentPlanRef = builder.objectRef<PaymentPlan>('PaymentPlan').implement({
  description:
    "A payment plan (échéancier): an invoice's balance split into dated installments. Amounts in minor units of `currency`.",
  fields: (t) => ({
    id: t.exposeID('id'),
    invoiceId: t.exposeID('invoice_id'),
    status: t.expose('status', { type: PaymentPlanStatus }),
    currency: t.exposeString('currency'),
    amount: t.expose('amount', { type: 'Amount', description: "The invoice's balance when the plan was made." }),
    amountPaid: t.expose('amount_paid', { type: 'Amount' }),
    maxMissedInstallments: t.exposeInt('max_missed_installments'),
    missedCount: t.exposeInt('missed_count'),
    lateFees: t.expose('late_fees', { type: PlanLateFees }),
    installments: t.expose('installments', { type: [InstallmentRef] }),
    note: t.exposeString('note', { nullable: true }),
    cancellationReason: t.exposeString('cancellation_reason', { nullable: true }),
    metadata: t.expose('metadata', { type: 'Metadata' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
    endedAt: t.expose('ended_at', { type: 'DateTime', nullable: true }),
  }),
});

const PaymentPlanList = listType('PaymentPlan', PaymentPlanRef);

const InstallmentInput = builder.inputType('PaymentPlanInstallmentInput', {
  fields: (t) => ({ dueDate: t.field({ type: 'Date' }), amount: t.field({ type: 'Amount' }) }),
});

// Optional in the SDL: the service checks the combination, so REST and GraphQL refuse alike.
const CreatePaymentPlanInput = builder.inputType('CreatePaymentPlanInput', {
  description: 'Either `installments`, or `count` with `firstDueDate`.',
  fields: (t) => ({
    installments: t.field({
      type: [InstallmentInput],
      description: "Explicit installments adding up to the invoice's balance, dates strictly increasing.",
    }),
    count: t.int({ description: 'Equal monthly installments (the remainder on the last), with `firstDueDate`.' }),
    firstDueDate: t.field({ type: 'Date' }),
    maxMissedInstallments: t.int({ description: 'Missed installments that breach the plan (default 1).' }),
    lateFees: t.field({ type: PlanLateFees, description: 'Default `SUSPENDED`.' }),
    note: t.string(),
    metadata: t.field({ type: 'Metadata' }),
  }),
});

const CancelPaymentPlanInput = builder.inputType('CancelPaymentPlanInput', {
  fields: (t) => ({ reason: t.string() }),
});

builder.queryFields((t) => ({
  paymentPlan: t.field({
    type: PaymentPlanRef,
    nullable: true,
    description: 'A payment plan of this account with its installments, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.paymentPlans.get(actor, String(id))),
  }),
  paymentPlans: t.field({
    type: PaymentPlanList,
    description: 'Payment plans, newest first.',
    args: {
      ...pageArgs,
      invoiceId: t.arg.id({ description: 'Only plans of this invoice.' }),
      status: t.arg({ type: PaymentPlanStatus }),
    },
    resolve: (_root, args, { actor, services }) =>
      services.paymentPlans.list(actor, toListQuery<PaymentPlanListQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  createPaymentPlan: t.field({
    type: PaymentPlanRef,
    description:
      'Agrees a payment plan on an open or partially paid invoice for its whole balance (`payment_plan/already_active` if it has one).',
    args: { invoiceId: t.arg.id({ required: true }), input: t.arg({ type: CreatePaymentPlanInput, required: true }) },
    resolve: (_root, { invoiceId, input }, { actor, services }) =>
      services.paymentPlans.create(actor, String(invoiceId), toServiceInput<PaymentPlanCreate>(input)),
  }),
  cancelPaymentPlan: t.field({
    type: PaymentPlanRef,
    description:
      'Cancels an active plan: the invoice goes back to its own policy (`payment_plan/not_active` otherwise).',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: CancelPaymentPlanInput }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.paymentPlans.cancel(actor, String(id), toServiceInput<PaymentPlanCancel>(input ?? {})),
  }),
}));
