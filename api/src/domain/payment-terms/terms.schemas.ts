import Type from 'typebox';
import { Amount, Currency, Id, Nullable, Timestamp } from '../shared/index.ts';

export const DueRule = Type.Object(
  {
    kind: Type.Enum(['due_on_receipt', 'net', 'days_end_of_month', 'end_of_month_plus'], {
      description:
        '`due_on_receipt`: the issue date. `net`: issue date + days. `days_end_of_month`: issue date + days, ' +
        'then the end of that month ("45 jours fin de mois"). `end_of_month_plus`: end of the issue month + days.',
    }),
    days: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, default: 0 })),
  },
  { additionalProperties: false },
);

export const EarlyPaymentDiscount = Type.Object(
  {
    percent_bps: Type.Integer({ minimum: 1, maximum: 10000, description: 'Discount in basis points: 200 = 2 %.' }),
    within_days: Type.Integer({ minimum: 0, maximum: 365, description: 'Days after the issue date it applies.' }),
  },
  { additionalProperties: false },
);

const LateFeeKind = Type.Enum(['none', 'fr_b2b', 'eu_b2b', 'uk_b2b', 'de_b2b', 'ie_b2b', 'custom'], {
  description:
    'A legal preset (`fr_b2b`, `eu_b2b`, `uk_b2b`, `de_b2b`, `ie_b2b`: statutory rate and fixed sum), `none`, or `custom` (your own rate and fixed fee).',
});
const RateBps = Type.Integer({
  minimum: 0,
  maximum: 100000,
  description: 'Annual rate in basis points: 1225 = 12.25 %.',
});
const FixedFee = Type.Object(
  { amount: Amount, currency: Currency },
  {
    additionalProperties: false,
    description: 'Fixed recovery fee, once per invoice; only invoices in this currency get it.',
  },
);
const GraceDays = Type.Integer({
  minimum: 0,
  maximum: 365,
  description: 'Days after the due date before any fee: interest starts the day after.',
});
const CapBps = Type.Integer({
  minimum: 0,
  maximum: 100000,
  description: 'Most interest an invoice may carry, in basis points of its total: 1000 = 10 %.',
});
const FixedFeeAt = Type.Enum(['overdue', 'fee_step'], {
  description:
    'When the fixed recovery fee is added: `overdue` (default) on the first day interest could run; `fee_step` only when a reminder ' +
    'step with `applies_late_fees` is sent, the step you chose in the policy (never if no such step is sent).',
});

export const LateFeeRuleInput = Type.Object(
  {
    kind: LateFeeKind,
    annual_rate_bps: Type.Optional(Nullable(RateBps)),
    fixed_fee: Type.Optional(Nullable(FixedFee)),
    grace_days: Type.Optional(GraceDays),
    cap_bps: Type.Optional(Nullable(CapBps)),
    fixed_fee_at: Type.Optional(FixedFeeAt),
  },
  {
    additionalProperties: false,
    description: 'Late fees of invoices under these terms; null follows the account preset.',
  },
);
export type LateFeeRuleInput = Type.Static<typeof LateFeeRuleInput>;

export const LateFeeRule = Type.Object(
  {
    kind: LateFeeKind,
    annual_rate_bps: Nullable(RateBps),
    fixed_fee: Nullable(FixedFee),
    grace_days: GraceDays,
    cap_bps: Nullable(CapBps),
    fixed_fee_at: FixedFeeAt,
  },
  { additionalProperties: false },
);
export type LateFeeRule = Type.Static<typeof LateFeeRule>;

export const PaymentTerms = Type.Object(
  {
    id: Id('pt'),
    object: Type.Literal('payment_terms'),
    code: Nullable(Type.String()),
    name: Type.String(),
    description: Type.String({ description: 'The due rule in words.' }),
    due: Type.Object({ kind: DueRule.properties.kind, days: Type.Integer() }, { additionalProperties: false }),
    early_payment_discount: Nullable(EarlyPaymentDiscount),
    late_fee: Type.Union([LateFeeRule, Type.Null()], { description: "Null: the account's late-fee preset applies." }),
    builtin: Type.Boolean({ description: 'Built-in terms are created with each account and cannot be changed.' }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'PaymentTerms', additionalProperties: false },
);
export type PaymentTerms = Type.Static<typeof PaymentTerms>;

const Code = Type.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'Your own short code, unique in the account.' });

export const PaymentTermsCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    code: Type.Optional(Code),
    due: DueRule,
    early_payment_discount: Type.Optional(Nullable(EarlyPaymentDiscount)),
    late_fee: Type.Optional(Nullable(LateFeeRuleInput)),
  },
  { $id: 'PaymentTermsCreate', additionalProperties: false },
);
export type PaymentTermsCreate = Type.Static<typeof PaymentTermsCreate>;

export const PaymentTermsUpdate = Type.Partial(PaymentTermsCreate, {
  $id: 'PaymentTermsUpdate',
  additionalProperties: false,
  minProperties: 1,
});
export type PaymentTermsUpdate = Type.Static<typeof PaymentTermsUpdate>;
