import type { PageQuery } from '../../domain/shared/index.ts';
import type { PaymentTerms, PaymentTermsCreate, PaymentTermsUpdate } from '../../domain/payment-terms/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { Deleted, listType, pageArgs } from './common.ts';

export const DueRuleKind = builder.enumType('DueRuleKind', {
  description:
    '`DUE_ON_RECEIPT`: the issue date. `NET`: issue date + days. `DAYS_END_OF_MONTH`: issue date + days, then the end ' +
    'of that month ("45 jours fin de mois"). `END_OF_MONTH_PLUS`: end of the issue month + days.',
  values: {
    DUE_ON_RECEIPT: { value: 'due_on_receipt' },
    NET: { value: 'net' },
    DAYS_END_OF_MONTH: { value: 'days_end_of_month' },
    END_OF_MONTH_PLUS: { value: 'end_of_month_plus' },
  } as const,
});

const DueRule = builder.objectRef<PaymentTerms['due']>('DueRule').implement({
  description: 'How the due date follows from the issue date.',
  fields: (t) => ({
    kind: t.expose('kind', { type: DueRuleKind }),
    days: t.exposeInt('days'),
  }),
});

type Discount = NonNullable<PaymentTerms['early_payment_discount']>;

const EarlyPaymentDiscount = builder.objectRef<Discount>('EarlyPaymentDiscount').implement({
  fields: (t) => ({
    percentBps: t.exposeInt('percent_bps', { description: 'Discount in basis points: 200 = 2 %.' }),
    withinDays: t.exposeInt('within_days', { description: 'Days after the issue date it applies.' }),
  }),
});

const LateFeeKind = builder.enumType('LateFeeKind', {
  description:
    'A legal preset (`FR_B2B`, `EU_B2B`, `UK_B2B`, `DE_B2B`), `NONE`, or `CUSTOM` (your own rate and fixed fee).',
  values: {
    NONE: { value: 'none' },
    FR_B2B: { value: 'fr_b2b' },
    EU_B2B: { value: 'eu_b2b' },
    UK_B2B: { value: 'uk_b2b' },
    DE_B2B: { value: 'de_b2b' },
    IE_B2B: { value: 'ie_b2b' },
    CUSTOM: { value: 'custom' },
  } as const,
});

const FixedFeeAt = builder.enumType('FixedFeeAt', {
  description:
    'When the fixed recovery fee is added: `OVERDUE` as soon as interest could run, or `FEE_STEP` when a reminder step with `appliesLateFees` is sent.',
  values: { OVERDUE: { value: 'overdue' }, FEE_STEP: { value: 'fee_step' } } as const,
});

type LateFee = NonNullable<PaymentTerms['late_fee']>;

const FixedFeeRef = builder.objectRef<NonNullable<LateFee['fixed_fee']>>('FixedFee').implement({
  description: 'Fixed recovery fee, once per invoice; only invoices in this currency get it.',
  fields: (t) => ({ amount: t.expose('amount', { type: 'Amount' }), currency: t.exposeString('currency') }),
});

const LateFeeRuleRef = builder.objectRef<LateFee>('LateFeeRule').implement({
  description: 'Late fees of invoices under these terms.',
  fields: (t) => ({
    kind: t.expose('kind', { type: LateFeeKind }),
    annualRateBps: t.exposeInt('annual_rate_bps', {
      nullable: true,
      description: 'CUSTOM only: annual rate in basis points.',
    }),
    fixedFee: t.expose('fixed_fee', { type: FixedFeeRef, nullable: true }),
    graceDays: t.exposeInt('grace_days'),
    capBps: t.exposeInt('cap_bps', {
      nullable: true,
      description: 'Most interest an invoice may carry, in basis points of its total.',
    }),
    fixedFeeAt: t.expose('fixed_fee_at', { type: FixedFeeAt }),
  }),
});

const FixedFeeInput = builder.inputType('FixedFeeInput', {
  fields: (t) => ({ amount: t.field({ type: 'Amount' }), currency: t.string() }),
});

const LateFeeRuleInput = builder.inputType('LateFeeRuleInput', {
  description: 'Late fees of invoices under these terms: `kind` is required; a rate or fixed fee needs `CUSTOM`.',
  fields: (t) => ({
    kind: t.field({ type: LateFeeKind }),
    annualRateBps: t.int(),
    fixedFee: t.field({ type: FixedFeeInput }),
    graceDays: t.int(),
    capBps: t.int(),
    fixedFeeAt: t.field({ type: FixedFeeAt }),
  }),
});

export const PaymentTermsRef = builder.objectRef<PaymentTerms>('PaymentTerms').implement({
  description: 'A due-date rule with an optional early-payment discount.',
  fields: (t) => ({
    id: t.exposeID('id'),
    code: t.exposeString('code', { nullable: true }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { description: 'The due rule in words.' }),
    due: t.expose('due', { type: DueRule }),
    earlyPaymentDiscount: t.expose('early_payment_discount', { type: EarlyPaymentDiscount, nullable: true }),
    lateFee: t.expose('late_fee', {
      type: LateFeeRuleRef,
      nullable: true,
      description: "Null: the account's late-fee preset applies.",
    }),
    builtin: t.exposeBoolean('builtin', {
      description: 'Built-in terms are created with each account and cannot be changed.',
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

const PaymentTermsList = listType('PaymentTerms', PaymentTermsRef);

const DueRuleInput = builder.inputType('DueRuleInput', {
  fields: (t) => ({
    kind: t.field({ type: DueRuleKind }),
    days: t.int({ description: '0 to 365; not used by `DUE_ON_RECEIPT`.' }),
  }),
});

const EarlyPaymentDiscountInput = builder.inputType('EarlyPaymentDiscountInput', {
  fields: (t) => ({
    percentBps: t.int({ description: 'Discount in basis points, 1 to 10000: 200 = 2 %.' }),
    withinDays: t.int({ description: 'Days after the issue date it applies, 0 to 365.' }),
  }),
});

// Optional in the SDL; the service says what is missing, as over REST.
function termsInput(name: string, description: string) {
  return builder.inputType(name, {
    description,
    fields: (t) => ({
      name: t.string(),
      code: t.string({ description: 'Your own short code (`[a-z0-9_]{1,40}`), unique in the account.' }),
      due: t.field({ type: DueRuleInput }),
      earlyPaymentDiscount: t.field({ type: EarlyPaymentDiscountInput, description: 'Null removes the discount.' }),
      lateFee: t.field({ type: LateFeeRuleInput, description: "Null follows the account's late-fee preset." }),
    }),
  });
}

const CreatePaymentTermsInput = termsInput(
  'CreatePaymentTermsInput',
  'New payment terms: `name` and `due` are required.',
);
const UpdatePaymentTermsInput = termsInput('UpdatePaymentTermsInput', 'The fields to change (at least one).');

builder.queryFields((t) => ({
  paymentTerms: t.field({
    type: PaymentTermsRef,
    nullable: true,
    description: 'Payment terms of this account, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.paymentTerms.get(actor, String(id))),
  }),
  paymentTermsList: t.field({
    type: PaymentTermsList,
    description: 'Payment terms, built-in first.',
    args: pageArgs,
    resolve: (_root, args, { actor, services }) => services.paymentTerms.list(actor, toListQuery<PageQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  createPaymentTerms: t.field({
    type: PaymentTermsRef,
    args: { input: t.arg({ type: CreatePaymentTermsInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) =>
      services.paymentTerms.create(actor, toServiceInput<PaymentTermsCreate>(input)),
  }),
  updatePaymentTerms: t.field({
    type: PaymentTermsRef,
    description: 'Changes custom terms; invoices keep the due date they were given.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdatePaymentTermsInput, required: true }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.paymentTerms.update(actor, String(id), toServiceInput<PaymentTermsUpdate>(input)),
  }),
  deletePaymentTerms: t.field({
    type: Deleted,
    description: 'Deletes custom terms that nothing refers to (`payment_terms/in_use` otherwise).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => services.paymentTerms.delete(actor, String(id)),
  }),
}));
