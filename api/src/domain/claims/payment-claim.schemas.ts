import Type from 'typebox';
import { MAX_AMOUNT_MINOR } from '../money.ts';
import { CalendarDate, Currency, Id, ListQuery, Nullable, Timestamp } from '../shared/index.ts';

export const PAYMENT_CLAIM_STATUSES = ['open', 'confirmed', 'rejected', 'expired'] as const;
export type PaymentClaimStatus = (typeof PAYMENT_CLAIM_STATUSES)[number];
export const PAYMENT_CLAIM_SOURCES = ['api', 'page', 'einvoice'] as const;
export type PaymentClaimSource = (typeof PAYMENT_CLAIM_SOURCES)[number];

export const PaymentClaim = Type.Object(
  {
    id: Id('pclm'),
    object: Type.Literal('payment_claim'),
    invoice_id: Id('inv'),
    customer_id: Id('cus'),
    status: Type.Enum([...PAYMENT_CLAIM_STATUSES], {
      description:
        '`open`: the invoice’s reminders wait until `hold_until` while someone checks; `confirmed`: a payment was recorded on the invoice (`payment_id`); `rejected`: someone found no such payment and reminders resumed; `expired`: `hold_until` passed unconfirmed and the schedule resumed.',
    }),
    source: Type.Enum([...PAYMENT_CLAIM_SOURCES], {
      description:
        "`page`: the customer said so on its page (docs/portal.md); `api`: recorded through the API; `einvoice`: the buyer's e-invoicing platform reported the payment sent (211, docs/einvoicing.md).",
    }),
    paid_on: CalendarDate,
    amount: Type.Integer({ description: 'What the customer says it paid, in minor units of `currency`.' }),
    currency: Type.String(),
    reference: Nullable(Type.String({ description: 'The transfer or cheque reference the customer gave.' })),
    note: Nullable(Type.String()),
    hold_until: CalendarDate,
    task_id: Nullable(Type.String({ description: 'The `payment_claim` task asking a person to check the claim.' })),
    payment_id: Nullable(Type.String({ description: 'The payment that confirmed the claim.' })),
    resolution_note: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
    resolved_at: Nullable(Timestamp),
  },
  { $id: 'PaymentClaim', additionalProperties: false },
);
export type PaymentClaim = Type.Static<typeof PaymentClaim>;

const Note = Type.String({ minLength: 1, maxLength: 2000 });

export const PaymentClaimCreate = Type.Object(
  {
    invoice_id: Type.String({ minLength: 1, maxLength: 64, description: 'The invoice the customer says it paid.' }),
    paid_on: {
      ...CalendarDate,
      description: 'When the customer says it paid: today or earlier, in the account’s time zone.',
    },
    amount: Type.Integer({
      minimum: 1,
      maximum: MAX_AMOUNT_MINOR,
      description: 'What the customer says it paid, in minor units of the invoice’s currency.',
    }),
    currency: Type.Optional(Currency),
    reference: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    note: Type.Optional(Nullable(Note)),
  },
  {
    $id: 'PaymentClaimCreate',
    additionalProperties: false,
    description: '`currency`, when given, must be the invoice’s.',
  },
);
export type PaymentClaimCreate = Type.Static<typeof PaymentClaimCreate>;

export const PaymentClaimReject = Type.Object(
  { note: Type.Optional(Nullable(Note)) },
  { $id: 'PaymentClaimReject', additionalProperties: false },
);
export type PaymentClaimReject = Type.Static<typeof PaymentClaimReject>;

export const PaymentClaimListQuery = Type.Object(
  {
    ...ListQuery,
    status: Type.Optional(Type.Enum([...PAYMENT_CLAIM_STATUSES])),
    invoice_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only claims on this invoice.' })),
    customer_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only claims of this customer.' })),
  },
  { additionalProperties: false },
);
export type PaymentClaimListQuery = Type.Static<typeof PaymentClaimListQuery>;
