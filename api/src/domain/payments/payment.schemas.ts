import Type from 'typebox';
import { MAX_AMOUNT_MINOR } from '../money.ts';
import {
  CalendarDate,
  Currency,
  expandQuery,
  Id,
  ListQuery,
  Metadata,
  MetadataFilter,
  Nullable,
  Timestamp,
} from '../shared/index.ts';

export const PAYMENT_METHODS = ['transfer', 'card', 'check', 'cash', 'direct_debit', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const PAYMENT_STATUSES = ['succeeded', 'reversed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** A positive amount in minor units: a payment or an allocation of nothing means nothing. */
const PositiveAmount = Type.Integer({
  minimum: 1,
  maximum: MAX_AMOUNT_MINOR,
  description: "Integer amount in the currency's minor unit (ISO 4217 exponent), at least 1.",
});

export const PaymentAllocation = Type.Object(
  {
    id: Id('alloc'),
    object: Type.Literal('payment_allocation'),
    invoice_id: Id('inv'),
    amount: Type.Integer({ description: 'Minor units of the payment applied to this invoice.' }),
    reversed: Type.Boolean({ description: 'Undone by the reversal of its payment.' }),
    created_at: Timestamp,
    reversed_at: Nullable(Timestamp),
  },
  { additionalProperties: false },
);
export type PaymentAllocation = Type.Static<typeof PaymentAllocation>;

export const Payment = Type.Object(
  {
    id: Id('pay'),
    object: Type.Literal('payment'),
    customer_id: Id('cus'),
    amount: Type.Integer(),
    currency: Type.String(),
    received_on: CalendarDate,
    method: Type.Enum([...PAYMENT_METHODS]),
    reference: Nullable(Type.String({ description: 'The bank or cheque reference, as the payer gave it.' })),
    status: Type.Enum([...PAYMENT_STATUSES], {
      description: '`reversed`: bounced or refunded; its allocations are undone.',
    }),
    amount_allocated: Type.Integer({ description: 'Sum of the allocations still in force.' }),
    unallocated: Type.Integer({
      description: "The customer's credit left on this payment: amount − allocations (0 once reversed).",
    }),
    allocations: Type.Array(PaymentAllocation, { description: 'Oldest first.' }),
    reversal_reason: Nullable(Type.String()),
    reversed_at: Nullable(Timestamp),
    metadata: Metadata,
    created_at: Timestamp,
    updated_at: Timestamp,
    invoices: Type.Optional(
      Type.Array(Type.Ref('Invoice'), { description: 'The invoices of its allocations, with `expand[]=invoices`.' }),
    ),
  },
  { $id: 'Payment', additionalProperties: false },
);
export type Payment = Type.Static<typeof Payment>;

export const AllocationInput = Type.Object(
  { invoice_id: Id('inv'), amount: PositiveAmount },
  { additionalProperties: false },
);
export type AllocationInput = Type.Static<typeof AllocationInput>;

const Allocations = Type.Array(AllocationInput, { maxItems: 100 });

export const PaymentCreate = Type.Object(
  {
    customer_id: Id('cus'),
    amount: PositiveAmount,
    currency: Currency,
    received_on: Type.Optional(CalendarDate),
    method: Type.Enum([...PAYMENT_METHODS]),
    reference: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255 }))),
    metadata: Type.Optional(Metadata),
    allocations: Type.Optional(Allocations),
    auto_allocate: Type.Optional(
      Type.Boolean({
        description:
          'Without `allocations` (the default then): allocate to the open invoices oldest due first. False keeps it all as credit.',
      }),
    ),
  },
  {
    $id: 'PaymentCreate',
    additionalProperties: false,
    description: 'A payment received. What is not allocated stays as the customer’s credit.',
  },
);
export type PaymentCreate = Type.Static<typeof PaymentCreate>;

export const PaymentApplyCredit = Type.Object(
  { allocations: Type.Array(AllocationInput, { minItems: 1, maxItems: 100 }) },
  { $id: 'PaymentApplyCredit', additionalProperties: false },
);
export type PaymentApplyCredit = Type.Static<typeof PaymentApplyCredit>;

export const PaymentReverse = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why: "transfer bounced", "refunded"…' }) },
  { $id: 'PaymentReverse', additionalProperties: false },
);
export type PaymentReverse = Type.Static<typeof PaymentReverse>;

/** What `expand[]` may include in a payment. */
export const PAYMENT_EXPANSIONS = ['invoices'] as const;

export const PaymentListQuery = Type.Object(
  {
    ...ListQuery,
    customer_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only payments of this customer.' })),
    invoice_id: Type.Optional(
      Type.String({ maxLength: 64, description: 'Only payments allocated (now or once) to this invoice.' }),
    ),
    status: Type.Optional(Type.Enum([...PAYMENT_STATUSES])),
    received_from: Type.Optional(CalendarDate),
    received_to: Type.Optional(CalendarDate),
    metadata: MetadataFilter,
    expand: expandQuery(PAYMENT_EXPANSIONS),
  },
  { additionalProperties: false },
);
export type PaymentListQuery = Type.Static<typeof PaymentListQuery>;

export const PaymentGetQuery = Type.Object(
  { expand: expandQuery(PAYMENT_EXPANSIONS) },
  { additionalProperties: false },
);
export type PaymentGetQuery = Type.Static<typeof PaymentGetQuery>;
