import Type from 'typebox';
import { Id, Nullable, Timestamp } from '../shared/schemas.ts';

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

export const PaymentTerms = Type.Object(
  {
    id: Id('pt'),
    object: Type.Literal('payment_terms'),
    code: Nullable(Type.String()),
    name: Type.String(),
    description: Type.String({ description: 'The due rule in words.' }),
    due: Type.Object({ kind: DueRule.properties.kind, days: Type.Integer() }, { additionalProperties: false }),
    early_payment_discount: Nullable(EarlyPaymentDiscount),
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
