import Type from 'typebox';
import { MAX_AMOUNT_MINOR } from '../money.ts';
import { CalendarDate, Id, ListQuery, Metadata, Nullable, Timestamp } from '../shared/index.ts';
import { MAX_INSTALLMENTS } from './payment-plan.rules.ts';

export const PAYMENT_PLAN_STATUSES = ['active', 'completed', 'breached', 'cancelled'] as const;
export type PaymentPlanStatus = (typeof PAYMENT_PLAN_STATUSES)[number];
export const INSTALLMENT_STATUSES = ['pending', 'paid', 'missed'] as const;
export type InstallmentStatus = (typeof INSTALLMENT_STATUSES)[number];
export const PLAN_LATE_FEES = ['suspended', 'accrue'] as const;
export type PlanLateFees = (typeof PLAN_LATE_FEES)[number];

/** Missed installments that breach a plan when the request does not say. */
export const DEFAULT_MAX_MISSED = 1;

export const PaymentPlanInstallment = Type.Object(
  {
    number: Type.Integer({ minimum: 1, description: '1 for the first installment.' }),
    due_date: CalendarDate,
    amount: Type.Integer({ description: 'Minor units due on `due_date`.' }),
    paid_amount: Type.Integer({
      description: 'Minor units of it received so far (payments go to installments oldest first).',
    }),
    status: Type.Enum([...INSTALLMENT_STATUSES], {
      description: '`missed`: its date passed (in the account’s time zone) before it was fully paid.',
    }),
    paid_at: Nullable(Timestamp),
    missed_at: Nullable(Timestamp),
  },
  { additionalProperties: false },
);
export type PaymentPlanInstallment = Type.Static<typeof PaymentPlanInstallment>;

export const PaymentPlan = Type.Object(
  {
    id: Id('pplan'),
    object: Type.Literal('payment_plan'),
    invoice_id: Id('inv'),
    status: Type.Enum([...PAYMENT_PLAN_STATUSES], {
      description:
        '`active` until every installment is paid (`completed`), too many are missed (`breached`) or it is cancelled.',
    }),
    currency: Type.String(),
    amount: Type.Integer({
      description: "The invoice's balance when the plan was made: what the installments add up to.",
    }),
    amount_paid: Type.Integer({ description: 'Sum of the installments’ paid amounts.' }),
    max_missed_installments: Type.Integer({ description: 'Missed installments that breach the plan.' }),
    missed_count: Type.Integer(),
    late_fees: Type.Enum([...PLAN_LATE_FEES], {
      description:
        '`suspended`: no late fee accrues while the plan is active (those days are never charged); `accrue`: fees run as usual.',
    }),
    installments: Type.Array(PaymentPlanInstallment),
    note: Nullable(Type.String()),
    cancellation_reason: Nullable(Type.String()),
    metadata: Metadata,
    created_at: Timestamp,
    updated_at: Timestamp,
    ended_at: Nullable(Timestamp),
  },
  { $id: 'PaymentPlan', additionalProperties: false },
);
export type PaymentPlan = Type.Static<typeof PaymentPlan>;

const PositiveAmount = Type.Integer({
  minimum: 1,
  maximum: MAX_AMOUNT_MINOR,
  description: "Minor units of the invoice's currency, at least 1.",
});

/** The data of `payment_plan.installment_missed`: the plan, and the installment that was missed. */
export const PaymentPlanInstallmentMissed = Type.Object(
  { ...PaymentPlan.properties, installment: PaymentPlanInstallment },
  {
    $id: 'PaymentPlanInstallmentMissed',
    additionalProperties: false,
    description: 'A payment plan and the installment of it that was just missed.',
  },
);

export const PaymentPlanCreate = Type.Object(
  {
    installments: Type.Optional(
      Type.Array(Type.Object({ due_date: CalendarDate, amount: PositiveAmount }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: MAX_INSTALLMENTS,
        description:
          'Explicit installments: dates strictly increasing, the first today or later, amounts adding up to the invoice’s balance. Or give `count` and `first_due_date`.',
      }),
    ),
    count: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_INSTALLMENTS,
        description: 'Equal monthly installments (the remainder on the last), with `first_due_date`.',
      }),
    ),
    first_due_date: Type.Optional(CalendarDate),
    max_missed_installments: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_INSTALLMENTS,
        default: DEFAULT_MAX_MISSED,
        description: 'Missed installments that breach the plan (default 1).',
      }),
    ),
    late_fees: Type.Optional(
      Type.Enum([...PLAN_LATE_FEES], {
        default: 'suspended',
        description: 'Whether late fees accrue while the plan is active (default `suspended`).',
      }),
    ),
    note: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 2000 }))),
    metadata: Type.Optional(Metadata),
  },
  {
    $id: 'PaymentPlanCreate',
    additionalProperties: false,
    description: 'Either `installments`, or `count` with `first_due_date`.',
  },
);
export type PaymentPlanCreate = Type.Static<typeof PaymentPlanCreate>;

export const PaymentPlanCancel = Type.Object(
  { reason: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 500 }))) },
  { $id: 'PaymentPlanCancel', additionalProperties: false },
);
export type PaymentPlanCancel = Type.Static<typeof PaymentPlanCancel>;

export const PaymentPlanListQuery = Type.Object(
  {
    ...ListQuery,
    invoice_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only plans of this invoice.' })),
    status: Type.Optional(Type.Enum([...PAYMENT_PLAN_STATUSES])),
  },
  { additionalProperties: false },
);
export type PaymentPlanListQuery = Type.Static<typeof PaymentPlanListQuery>;
