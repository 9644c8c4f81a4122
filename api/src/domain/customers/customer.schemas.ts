import Type from 'typebox';
import {
  CalendarDate,
  identityFields,
  Email,
  Id,
  Locale,
  Metadata,
  MetadataFilter,
  Nullable,
  Timestamp,
  TimeZone,
} from '../shared/index.ts';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

const fields = {
  external_id: Nullable(Text(128)),
  name: Text(200),
  email: Nullable(Email),
  cc_emails: Type.Array(Email, { maxItems: 10, uniqueItems: true, description: 'Copied on every reminder.' }),
  contact_name: Nullable(Text(200)),
  phone: Nullable(Text(50)),
  mobile: Nullable(
    Type.String({
      minLength: 3,
      maxLength: 50,
      description:
        'Mobile number for text messages (`sms` steps), stored in E.164 (`+33612345678`). Given in international form, ' +
        "or in the national form of the customer's billing country (else the account's): `06 12 34 56 78` with FR. " +
        'A number that is not valid, or not a mobile, is refused (`customer/invalid_mobile`).',
      examples: ['+33612345678'],
    }),
  ),
  locale: Nullable(Locale),
  time_zone: Nullable(TimeZone),
  payment_terms_id: Nullable(Id('pt')),
  reminder_policy_id: Nullable(Id('rp')),
  kind: Type.Union([Type.Literal('business'), Type.Literal('consumer')], {
    description:
      'A `business` (the default) or a `consumer`. Statutory B2B late fees (`fr_b2b`, `eu_b2b`, `uk_b2b`, `de_b2b`, `ie_b2b`) never apply to a consumer, and messages to one carry no B2B legal mentions.',
  }),
  ...identityFields,
  metadata: Metadata,
};

export const Customer = Type.Object(
  {
    id: Id('cus'),
    object: Type.Literal('customer'),
    ...fields,
    reminder_policy_id: Nullable(
      Type.String({
        description:
          "The reminder policy of this customer's invoices (unless an invoice has its own); null follows the account default.",
      }),
    ),
    pause: Nullable(
      Type.Object(
        { until: Nullable(CalendarDate), reason: Nullable(Type.String()) },
        {
          additionalProperties: false,
          description:
            "Reminders of all this customer's invoices are paused until this date (included), or until resumed when `until` is null.",
        },
      ),
    ),
    erased_at: Nullable(
      Type.String({
        format: 'date-time',
        description: 'When its personal data was erased (`POST /v1/customers/{id}/anonymize`); null otherwise.',
      }),
    ),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Customer', additionalProperties: false },
);
export type Customer = Type.Static<typeof Customer>;

export const CustomerCreate = Type.Object(
  {
    name: fields.name,
    external_id: Type.Optional(fields.external_id),
    email: Type.Optional(fields.email),
    cc_emails: Type.Optional(fields.cc_emails),
    contact_name: Type.Optional(fields.contact_name),
    kind: Type.Optional(fields.kind),
    legal_name: Type.Optional(fields.legal_name),
    registration_number: Type.Optional(fields.registration_number),
    vat_number: Type.Optional(fields.vat_number),
    billing_address: Type.Optional(fields.billing_address),
    phone: Type.Optional(fields.phone),
    mobile: Type.Optional(fields.mobile),
    locale: Type.Optional(fields.locale),
    time_zone: Type.Optional(fields.time_zone),
    payment_terms_id: Type.Optional(fields.payment_terms_id),
    reminder_policy_id: Type.Optional(fields.reminder_policy_id),
    metadata: Type.Optional(fields.metadata),
  },
  { $id: 'CustomerCreate', additionalProperties: false },
);
export type CustomerCreate = Type.Static<typeof CustomerCreate>;

export const CustomerUpdate = Type.Partial(CustomerCreate, {
  $id: 'CustomerUpdate',
  additionalProperties: false,
  minProperties: 1,
});
export type CustomerUpdate = Type.Static<typeof CustomerUpdate>;

export const CustomerListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    starting_after: Type.Optional(Type.String({ maxLength: 64 })),
    external_id: Type.Optional(Type.String({ maxLength: 128 })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    metadata: MetadataFilter,
  },
  { additionalProperties: false },
);
export type CustomerListQuery = Type.Static<typeof CustomerListQuery>;
