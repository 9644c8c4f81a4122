import Type from 'typebox';
import { REFERENCE_SOURCES } from '../late-fees/index.ts';
import { Message } from '../messages/index.ts';
import { CHANNEL_NAMES } from '../reminders/index.ts';
import { CalendarDate, Id, Nullable, Timestamp } from '../shared/index.ts';

// The `data` of events whose object has no public schema of its own (a planned reminder, a
// promise to pay) or carries more than the object (a bounce). The other events carry the object
// exactly as the API shows it (Invoice, Payment…).

const Channel = Type.Enum(CHANNEL_NAMES, { description: 'How the step reaches the customer.' });

export const Reminder = Type.Object(
  {
    id: Type.String({ description: 'The planned reminder (occurrence) id.' }),
    invoice_id: Id('inv'),
    step_id: Type.String({ description: 'The policy step it comes from.' }),
    repeat_index: Type.Integer({ minimum: 0, description: '0 for the step itself, then 1, 2… for its repeats.' }),
    offset_days: Type.Integer({ description: 'Days relative to the due date (negative: before it).' }),
    channel: Channel,
    template_key: Nullable(Type.String()),
    sent_as: Type.Optional(
      Type.String({
        description:
          'The template it went out as when not its own: `first_overdue`, the first message about an invoice already late.',
      }),
    ),
    folded_into: Type.Optional(
      Type.String({
        description: '`reminder.skipped` as `stale`: the reminder that went out in its place (a catch-up).',
      }),
    ),
    scheduled_at: Type.Optional(Nullable(Timestamp)),
    held_until: Type.Optional(CalendarDate),
    message_id: Type.Optional(Nullable(Type.String({ description: 'The email that carries it (`email` steps).' }))),
    task_id: Type.Optional(Type.String({ description: 'The task it created (`call`, `letter`, `collection` steps).' })),
    reason: Type.Optional(
      Type.String({
        description: '`reminder.skipped`: why (`paid`, `void`, `disputed`, `stale`, `suppressed`, `no_recipient`…).',
      }),
    ),
    error: Type.Optional(Type.String({ description: '`reminder.failed`: what went wrong.' })),
  },
  {
    $id: 'Reminder',
    additionalProperties: false,
    description: 'One planned reminder of an invoice: a step of its policy, at a time.',
  },
);

export const ReminderSchedule = Type.Object(
  {
    invoice_id: Id('inv'),
    pending: Type.Integer({
      minimum: 0,
      description: 'Reminders of the invoice still to come after this planning (`scheduled` or `held`).',
    }),
    next_reminder: Nullable(
      Type.Object(
        {
          id: Type.String({ description: 'The planned reminder (occurrence) id.' }),
          step_id: Type.String({ description: 'The policy step it comes from.' }),
          repeat_index: Type.Integer({ minimum: 0 }),
          channel: Channel,
          scheduled_at: Timestamp,
          installment_number: Type.Optional(
            Type.Integer({ minimum: 1, description: 'Under a payment plan: the installment this reminder is about.' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    $id: 'ReminderSchedule',
    additionalProperties: false,
    description:
      "The invoice's reminders were (re)planned: how many are still to come and the next one to go (`null`: none scheduled). The whole schedule, with every reminder's time and status, is `GET /v1/invoices/{id}/timeline`.",
  },
);

export const PromiseToPayChange = Type.Object(
  {
    invoice_id: Id('inv'),
    promise_to_pay_on: CalendarDate,
    previous_promise_to_pay_on: Type.Optional(Nullable(CalendarDate)),
    task_id: Type.Optional(Nullable(Type.String({ description: 'The call task during which it was promised.' }))),
    note: Type.Optional(Nullable(Type.String())),
  },
  {
    $id: 'PromiseToPayChange',
    additionalProperties: false,
    description: 'A promise to pay made, cleared or broken (the date it concerned).',
  },
);

export const MessageStatusChange = Type.Object(
  {
    ...Message.properties,
    bounce: Type.Optional(
      Type.Object(
        {
          type: Type.String(),
          sub_type: Type.Optional(Nullable(Type.String())),
          message: Type.Optional(Nullable(Type.String())),
          permanent: Type.Boolean({ description: 'A hard bounce: the address is suppressed.' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    $id: 'MessageStatusChange',
    additionalProperties: false,
    description: 'A message as the API shows it (without bodies), with the bounce when it bounced.',
  },
);

export const ReferenceRateMissing = Type.Object(
  {
    object: Type.Literal('reference_rate_missing'),
    source: Type.Enum([...REFERENCE_SOURCES], {
      description:
        '`ecb_mro`: ECB main refinancing operations rate. `boe_base`: Bank of England Bank Rate. ' +
        '`bundesbank_base`: Deutsche Bundesbank Basiszinssatz.',
    }),
    period: Type.String({
      pattern: '^[0-9]{4}-H[12]$',
      description:
        'The half-year concerned: its days (`ecb_mro`, FR/EU presets; `bundesbank_base`, DE) or the debts becoming overdue in it (`boe_base`, UK).',
    }),
    reference_date: Type.String({
      format: 'date',
      description:
        'The day whose rate applies: 1 January / 1 July (`ecb_mro`, `bundesbank_base`), 31 December / 30 June (`boe_base`).',
    }),
    assumed_rate_bps: Type.Integer({ description: 'The last recorded rate, used as if unchanged (basis points).' }),
    assumed_rate_effective_on: CalendarDate,
    first_invoice_id: Id('inv'),
    first_fee_id: Id('fee'),
  },
  {
    $id: 'ReferenceRateMissing',
    additionalProperties: false,
    description:
      "A reference rate the account's interest needs was not recorded by the operator more than 30 days after its " +
      'reference date; `first_invoice_id` / `first_fee_id` name the interest line that found it (later lines of the ' +
      'account carry `rate_assumed` without a new event).',
  },
);

export const EVENT_PAYLOAD_SCHEMAS = [
  Reminder,
  ReminderSchedule,
  PromiseToPayChange,
  MessageStatusChange,
  ReferenceRateMissing,
];
