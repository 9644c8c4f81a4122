import Type from 'typebox';
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
    reminders: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          step_id: Type.String(),
          repeat_index: Type.Integer({ minimum: 0 }),
          channel: Channel,
          template_key: Nullable(Type.String()),
          scheduled_at: Nullable(Timestamp),
          status: Type.String({ description: '`scheduled`, `held`, `sent`, `skipped`…' }),
          installment_number: Type.Optional(
            Type.Integer({ minimum: 1, description: 'Under a payment plan: the installment this reminder is about.' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'ReminderSchedule', additionalProperties: false, description: 'The reminders (re)planned for an invoice.' },
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

export const EVENT_PAYLOAD_SCHEMAS = [Reminder, ReminderSchedule, PromiseToPayChange, MessageStatusChange];
