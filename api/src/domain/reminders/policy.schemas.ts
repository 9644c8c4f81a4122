import Type from 'typebox';
import { Amount, Id, Nullable, Timestamp } from '../shared/index.ts';
import { CHANNEL_NAMES, describeChannels } from './channels/registry.ts';

export const Channel = Type.Enum(CHANNEL_NAMES, { description: describeChannels() });
export type Channel = Type.Static<typeof Channel>;

const FIRST_CONTACT_DESCRIPTION =
  'Whether this step may be the first message the customer gets about the invoice. When it may not (its text presupposes earlier reminders) and nothing was sent yet, an email step goes out as the `first_overdue` notice instead, and a call, letter or collection step waits `min_gap_days` after it. Default: true before and on the due date, for `overdue_friendly` and `first_overdue` steps and webhooks; false otherwise.';

const ATTACH_DESCRIPTION =
  "An email step only: the email carries the invoice's PDF (fetched from its `pdf_url`, at most 10 MB) as an attachment; when it cannot be fetched the email goes with the link, and the message says why (docs/email.md#attachments). Default false.";

const ATTACH_STATEMENT_DESCRIPTION =
  "An email step only: the email carries the customer's statement of account as a PDF, in its language, over the twelve months to the day it is sent (docs/reports.md#statements-by-email). Not with `attach_invoice_pdf`: an email carries one attachment. Default false.";

const TemplateKey = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,39}$',
  description: 'The template an email step renders (see /v1/templates).',
});

export const ReminderStep = Type.Object(
  {
    id: Type.String(),
    offset_days: Type.Integer({ description: 'Days from the due date: negative before it, 0 on it.' }),
    channel: Channel,
    template_key: Nullable(Type.String()),
    applies_late_fees: Type.Boolean(),
    first_contact_allowed: Type.Boolean({ description: FIRST_CONTACT_DESCRIPTION }),
    attach_invoice_pdf: Type.Boolean({ description: ATTACH_DESCRIPTION }),
    attach_statement: Type.Boolean({ description: ATTACH_STATEMENT_DESCRIPTION }),
  },
  { additionalProperties: false },
);
export type ReminderStep = Type.Static<typeof ReminderStep>;

export const ReminderStepInput = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        pattern: '^step_[0-9a-z]{26}$',
        description: 'Keep it to update a step in place: reminders it already sent stay counted.',
      }),
    ),
    offset_days: Type.Integer({ minimum: -365, maximum: 365 }),
    channel: Channel,
    template_key: Type.Optional(Nullable(TemplateKey)),
    applies_late_fees: Type.Optional(Type.Boolean()),
    first_contact_allowed: Type.Optional(Type.Boolean({ description: FIRST_CONTACT_DESCRIPTION })),
    attach_invoice_pdf: Type.Optional(Type.Boolean({ description: ATTACH_DESCRIPTION })),
    attach_statement: Type.Optional(Type.Boolean({ description: ATTACH_STATEMENT_DESCRIPTION })),
  },
  { additionalProperties: false },
);
export type ReminderStepInput = Type.Static<typeof ReminderStepInput>;

export const Repeat = Type.Object(
  {
    every_days: Type.Integer({ minimum: 1, maximum: 365 }),
    max: Type.Integer({ minimum: 1, maximum: 100, description: 'At most this many repeats.' }),
  },
  { additionalProperties: false, description: 'Repeats the last email step after the last step.' },
);

export const MinBalance = Type.Record(Type.String(), Amount, {
  propertyNames: { pattern: '^[A-Z]{3}$' },
  maxProperties: 50,
  description: 'Per currency, the balance below which nobody is chased, e.g. {"EUR": 500}.',
});

const settings = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  steps: Type.Array(ReminderStepInput, { minItems: 1, maxItems: 30 }),
  repeat: Nullable(Repeat),
  send_hour: Type.Integer({ minimum: 0, maximum: 23, description: "Local hour, in the account's time zone." }),
  send_minute: Type.Integer({ minimum: 0, maximum: 59 }),
  skip_weekends: Type.Boolean({ description: 'A reminder falling on a Saturday or Sunday moves to the Monday.' }),
  skip_holidays: Type.Boolean({
    description:
      "A reminder falling on a public holiday of the customer's country (its billing address; else the account's) moves to the next working day. Default false.",
  }),
  min_balance: MinBalance,
  upcoming_hours: Type.Integer({
    minimum: 0,
    maximum: 168,
    description:
      'Hours before each reminder at which `reminder.upcoming` goes out, so the integrator can hold or cancel it (`POST /v1/reminders/{id}/hold`, `/cancel`); 0: no such event. Default 24.',
  }),
  min_gap_days: Type.Integer({
    minimum: 0,
    maximum: 30,
    description:
      'After a catch-up (a reminder sent late, in place of steps already past, or as the first overdue notice), the next step waits at least this many days. Default 3.',
  }),
  max_contacts_per_week: Nullable(
    Type.Integer({
      minimum: 1,
      maximum: 50,
      description:
        "The contact budget: messages and letters a customer may get from us in any 7 days, across its invoices (docs/reminders.md#contact-budget). Null: the account's `max_contacts_per_week` (3).",
    }),
  ),
  grouping: Type.Enum(['invoice', 'customer'], {
    description:
      "`invoice`: one message per reminder. `customer`: a customer's reminders falling due on the same local day through the same channel (email, sms) go out as one message listing each invoice, in the tone of the most advanced step among them (docs/reminders.md#one-message-per-customer). Default `invoice`.",
  }),
  min_days_between_contacts: Nullable(
    Type.Integer({
      minimum: 0,
      maximum: 30,
      description:
        "Days between two contacts of a customer, across its invoices. Null: the account's `min_days_between_contacts` (2).",
    }),
  ),
};

export const ReminderPolicy = Type.Object(
  {
    id: Id('rp'),
    object: Type.Literal('reminder_policy'),
    name: Type.String(),
    steps: Type.Array(ReminderStep),
    repeat: Nullable(Repeat),
    send_hour: Type.Integer(),
    send_minute: Type.Integer(),
    skip_weekends: Type.Boolean(),
    skip_holidays: Type.Boolean(),
    min_balance: MinBalance,
    min_gap_days: Type.Integer(),
    max_contacts_per_week: settings.max_contacts_per_week,
    min_days_between_contacts: settings.min_days_between_contacts,
    grouping: settings.grouping,
    upcoming_hours: Type.Integer(),
    is_default: Type.Boolean(),
    invoices_to_replan: Type.Integer({
      minimum: 0,
      description:
        'Open invoices following this policy that the workers have still to replan after its last change (0 when none).',
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'ReminderPolicy', additionalProperties: false },
);
export type ReminderPolicy = Type.Static<typeof ReminderPolicy>;

export const ReminderPolicyCreate = Type.Object(
  {
    name: settings.name,
    steps: settings.steps,
    repeat: Type.Optional(settings.repeat),
    send_hour: Type.Optional(settings.send_hour),
    send_minute: Type.Optional(settings.send_minute),
    skip_weekends: Type.Optional(settings.skip_weekends),
    skip_holidays: Type.Optional(settings.skip_holidays),
    min_balance: Type.Optional(settings.min_balance),
    min_gap_days: Type.Optional(settings.min_gap_days),
    max_contacts_per_week: Type.Optional(settings.max_contacts_per_week),
    min_days_between_contacts: Type.Optional(settings.min_days_between_contacts),
    grouping: Type.Optional(settings.grouping),
    upcoming_hours: Type.Optional(settings.upcoming_hours),
  },
  { $id: 'ReminderPolicyCreate', additionalProperties: false },
);
export type ReminderPolicyCreate = Type.Static<typeof ReminderPolicyCreate>;

export const ReminderPolicyUpdate = Type.Partial(ReminderPolicyCreate, {
  $id: 'ReminderPolicyUpdate',
  additionalProperties: false,
  minProperties: 1,
});
export type ReminderPolicyUpdate = Type.Static<typeof ReminderPolicyUpdate>;

export const PolicyRule = Type.Object(
  {
    policy_id: Id('rp'),
    risk_levels: Type.Optional(
      Type.Array(Type.Enum(['low', 'medium', 'high', 'critical']), {
        minItems: 1,
        uniqueItems: true,
        description: "The customer's risk level in force is one of these.",
      }),
    ),
    customer_kinds: Type.Optional(Type.Array(Type.Enum(['business', 'consumer']), { minItems: 1, uniqueItems: true })),
    currencies: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Z]{3}$' }), { minItems: 1, maxItems: 50, uniqueItems: true }),
    ),
    amount_min: Type.Optional(
      Type.Integer({ minimum: 0, description: "The invoice's total is at least this (minor units)." }),
    ),
    amount_max: Type.Optional(
      Type.Integer({ minimum: 0, description: "The invoice's total is at most this (minor units)." }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Applies its policy when every condition given holds; a rule without conditions matches every invoice.',
  },
);
export type PolicyRule = Type.Static<typeof PolicyRule>;

export const PolicyRules = Type.Array(PolicyRule, {
  maxItems: 50,
  description:
    "Policies by rule, evaluated at planning in order, first match wins; an invoice's or customer's own policy still comes first, the account default last (docs/reminders.md#policies-by-rule).",
});
