import Type from 'typebox';
import { RiskThresholds, RiskThresholdsUpdate } from '../behaviour/index.ts';
import { LateFeePresetSchema } from '../late-fees/index.ts';
import { PolicyRules } from '../reminders/index.ts';
import {
  Currency,
  Email,
  Id,
  identityFields,
  Locale,
  Nullable,
  PostalAddress,
  Timestamp,
  TimeZone,
} from '../shared/index.ts';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

const settings = {
  name: Text(200),
  legal_name: Nullable(Text(200)),
  registration_number: identityFields.registration_number,
  vat_number: identityFields.vat_number,
  billing_address: Type.Union([PostalAddress, Type.Null()], {
    description:
      "The creditor's postal address, shown in messages and letters; its country's public holidays apply to customers without an address of their own.",
  }),
  default_currency: Currency,
  locale: Locale,
  time_zone: TimeZone,
  sender_name: Nullable(Text(200)),
  sender_email: Nullable(Email),
  reply_to: Nullable(Email),
  contact_phone: Nullable(Text(50)),
  payment_instructions: Nullable(Text(2000)),
  default_payment_terms_id: Nullable(Id('pt')),
  default_reminder_policy_id: Nullable(Id('rp')),
  late_fee_preset: LateFeePresetSchema,
  policy_rules: PolicyRules,
  portal_enabled: Type.Boolean({
    description: "Whether reminders carry a link to the customer's page and the page opens (docs/portal.md).",
  }),
  portal_days_after_paid: Type.Integer({
    minimum: 0,
    maximum: 3650,
    description: 'Days a customer page still opens after the customer has paid everything (90).',
  }),
  portal_promise_max_days: Type.Integer({
    minimum: 1,
    maximum: 365,
    description: 'How far ahead a promise to pay made on the customer page may go, in days (30).',
  }),
  max_contacts_per_week: Type.Integer({
    minimum: 1,
    maximum: 50,
    description:
      'The contact budget: messages and letters a customer may get from us in any 7 days, across its invoices (3; a policy may set its own; docs/reminders.md#contact-budget).',
  }),
  min_days_between_contacts: Type.Integer({
    minimum: 0,
    maximum: 30,
    description: 'Days between two contacts of a customer, across its invoices (2; a policy may set its own).',
  }),
  sms_sender: Nullable(
    Type.String({
      pattern: '^(\\+[1-9][0-9]{6,14}|[A-Za-z0-9 ]{1,11})$',
      description:
        "Who text messages come from: a number in E.164 that your provider lets you send from, or an alphanumeric sender id (up to 11 letters, digits or spaces) where the destination country allows one. Null: the service's `SMS_SENDER` (docs/sms.md).",
      examples: ['+33757000000', 'Acme'],
    }),
  ),
  daytime_from_hour: Type.Integer({
    minimum: 0,
    maximum: 23,
    description:
      "Texts and calls reach a customer from this hour, in the customer's time zone (8; docs/sms.md#daytime). Never on a Sunday or a public holiday.",
  }),
  daytime_until_hour: Type.Integer({
    minimum: 1,
    maximum: 24,
    description: '…and until this hour, exclusive (20); after `daytime_from_hour`.',
  }),
  payment_claim_hold_days: Type.Integer({
    minimum: 1,
    maximum: 60,
    description:
      'Days the reminders of an invoice wait after the customer says it paid, while someone checks (7; docs/payment-claims.md).',
  }),
  monthly_statements: Type.Boolean({
    description:
      'Once a month every customer with a balance gets its statement of account by email, the PDF attached (docs/reports.md#statements-by-email). False by default; the first goes on the first statement day after it is turned on.',
  }),
  statement_day: Type.Integer({
    minimum: 1,
    maximum: 28,
    description:
      "The day of the month the monthly statement goes (1), at the default policy's send time; a weekend or holiday that policy skips moves it to the next working day. It covers the month before that day.",
  }),
  portal_plan_max_installments: Type.Integer({
    minimum: 0,
    maximum: 60,
    description:
      'The most monthly installments a customer may agree on its page without a person (3); more asks a person (a `plan_request` task). 0: every request goes to a person.',
  }),
  portal_plan_max_days: Type.Integer({
    minimum: 1,
    maximum: 1825,
    description: 'How far ahead the last installment of a plan agreed on the page may fall, in days (90).',
  }),
  portal_plan_min_installment: Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), Type.Integer({ minimum: 1 }), {
    description:
      'The smallest installment of a plan agreed on the page, per currency in minor units: `{"EUR": 5000}` (none by default).',
  }),
  brand_colour: Nullable(
    Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: "The page's accent colour, `#1d4ed8`." }),
  ),
  logo_url: Nullable(
    Type.String({
      maxLength: 200_000,
      pattern: '^(https://[^\\s"\'<>]+|data:image/(png|jpeg|webp|svg\\+xml);base64,[A-Za-z0-9+/=]+)$',
      description:
        'The logo on the page: an `https://` URL, or a `data:image/…;base64,` image (served from the page itself).',
    }),
  ),
  checkout_url_template: Nullable(
    Type.String({
      maxLength: 2000,
      pattern: '^https://',
      description:
        'Where "pay all" leads, with `{customer_id}`, `{customer_external_id}`, `{currency}` and `{amount}` (minor units) filled in per currency.',
    }),
  ),
};

export const Account = Type.Object(
  {
    id: Id('acct'),
    object: Type.Literal('account'),
    mode: Type.Union([Type.Literal('live'), Type.Literal('test')]),
    ...settings,
    risk_thresholds: {
      ...RiskThresholds,
      description:
        "The thresholds of the customers' risk assessment in force: the account's own over the defaults (docs/behaviour.md#risk).",
    },
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Account', additionalProperties: false },
);
export type Account = Type.Static<typeof Account>;

export const AccountUpdate = Type.Partial(
  Type.Object(
    {
      ...settings,
      risk_thresholds: Type.Union([RiskThresholdsUpdate, Type.Null()], {
        description:
          'Thresholds of the risk assessment to change (the others keep their defaults); null restores every default.',
      }),
    },
    { additionalProperties: false },
  ),
  {
    $id: 'AccountUpdate',
    additionalProperties: false,
    minProperties: 1,
  },
);
export type AccountUpdate = Type.Static<typeof AccountUpdate>;

export const AccountCreate = Type.Object(
  {
    name: Text(200),
    mode: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('test')])),
    default_currency: Type.Optional(Currency),
    locale: Type.Optional(Locale),
    time_zone: Type.Optional(TimeZone),
  },
  { additionalProperties: false },
);
export type AccountCreate = Type.Static<typeof AccountCreate>;
