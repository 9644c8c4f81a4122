import Type from 'typebox';
import { Id, ListQuery, Nullable, Timestamp } from '../shared/index.ts';

export const MESSAGE_STATUSES = [
  'pending',
  'sent',
  'delivered',
  'bounced',
  'complained',
  'failed',
  'canceled',
  'unknown',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const SUPPRESSION_REASONS = ['bounced', 'complained', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

const Address = Type.String({ maxLength: 320 });

export const Message = Type.Object(
  {
    id: Id('msg'),
    object: Type.Literal('message'),
    channel: Type.Enum(['email', 'sms'], {
      description:
        '`email`; `sms`, a text message: `to` holds the mobile number, `text` the words, `subject` and `html` are empty.',
    }),
    transport: Type.Enum(['outbox', 'resend', 'twilio'], {
      description:
        '`resend` or `twilio` when sent through that provider; `outbox` when kept locally (no provider configured).',
    }),
    status: Type.Enum([...MESSAGE_STATUSES], {
      description:
        '`pending` (stored, not yet accepted by the provider) → `sent` (accepted) → `delivered`, or `bounced` / ' +
        "`complained` (from the provider's events); `failed` when the provider refused it; `canceled` when it was never sent; " +
        '`unknown`: a text message whose last attempt got no answer, so the provider may have sent it; it is never sent ' +
        'again by itself (docs/sms.md#effectively-once).',
    }),
    occurrence_id: Nullable(Type.String({ description: 'The planned reminder this message carries.' })),
    invoice_id: Nullable(Id('inv')),
    customer_id: Nullable(Id('cus')),
    from: Address,
    to: Type.Array(Address),
    cc: Type.Array(Address),
    reply_to: Nullable(Address),
    subject: Type.String(),
    html: Type.Optional(
      Type.String({ description: 'The HTML body as sent. Only when getting one message, not in lists.' }),
    ),
    text: Type.Optional(
      Type.String({ description: 'The plain-text body as sent. Only when getting one message, not in lists.' }),
    ),
    template_key: Nullable(Type.String()),
    locale: Nullable(Type.String()),
    provider_message_id: Nullable(
      Type.String({ description: "The provider's id of the email (Resend's email id, or `outbox_…`)." }),
    ),
    error: Nullable(Type.String({ description: 'Why the last attempt failed, or how the email bounced.' })),
    attachment: Nullable(
      Type.Object(
        {
          kind: Type.Enum(['invoice_pdf', 'statement'], {
            description:
              "`invoice_pdf`: the invoice's PDF (a step's `attach_invoice_pdf`); `statement`: the customer's statement of account, made by Relance (a step's `attach_statement`, or the monthly statement; docs/reports.md#statements-by-email).",
          }),
          url: Nullable(
            Type.String({
              description:
                "Where the invoice's PDF is fetched from (its `pdf_url` when composed); null for a statement.",
            }),
          ),
          document_id: Nullable(
            Type.String({
              description: 'The stored copy that was (and on any retry is) sent: `GET /v1/documents/{id}`.',
            }),
          ),
          error: Nullable(
            Type.String({ description: 'Why it could not be attached; the email then carries the link only.' }),
          ),
        },
        {
          additionalProperties: false,
          description:
            "The file the email carries: the invoice's PDF, for an email of a step with `attach_invoice_pdf` (docs/email.md#attachments), or the customer's statement; null otherwise. Both `document_id` and `error` are null until the email is handed to the provider (the local outbox fetches no invoice PDF; it does make the statement).",
        },
      ),
    ),
    group_key: Nullable(
      Type.String({
        description:
          'A grouped message (a policy\'s `grouping: "customer"`): `<customer id>:<local day>:<channel>`; it carries several reminders, each naming it (`message_id`), and its `occurrence_id` and `invoice_id` are null. Null for a message about one invoice.',
      }),
    ),
    attempts: Type.Integer({ minimum: 0, description: 'Times it was handed to the provider.' }),
    sent_at: Nullable(Timestamp),
    delivered_at: Nullable(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Message', additionalProperties: false },
);
export type Message = Type.Static<typeof Message>;

export const MessageListQuery = Type.Object(
  {
    ...ListQuery,
    invoice_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only messages about this invoice.' })),
    customer_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only messages to this customer.' })),
    status: Type.Optional(Type.Enum([...MESSAGE_STATUSES])),
    to: Type.Optional(
      Type.String({ maxLength: 320, description: 'Only messages sent to this address (case-insensitive).' }),
    ),
  },
  { additionalProperties: false },
);
export type MessageListQuery = Type.Static<typeof MessageListQuery>;

export const Suppression = Type.Object(
  {
    object: Type.Literal('suppression'),
    email: Type.String({ description: 'The address, lower case. Reminders are not sent to it.' }),
    reason: Type.Enum([...SUPPRESSION_REASONS], {
      description: '`bounced` (a hard bounce), `complained` (marked as spam) or `manual`.',
    }),
    message_id: Nullable(Type.String({ description: 'The message whose bounce or complaint suppressed the address.' })),
    created_at: Timestamp,
  },
  { $id: 'Suppression', additionalProperties: false },
);
export type Suppression = Type.Static<typeof Suppression>;

export const SuppressionListQuery = Type.Object(
  {
    limit: ListQuery.limit,
    starting_after: Type.Optional(
      Type.String({ maxLength: 320, description: 'Cursor: the email of the last suppression of the previous page.' }),
    ),
  },
  { additionalProperties: false },
);
export type SuppressionListQuery = Type.Static<typeof SuppressionListQuery>;

export const SuppressionRemoved = Type.Object(
  { object: Type.Literal('suppression'), email: Type.String(), deleted: Type.Literal(true) },
  { additionalProperties: false },
);
export type SuppressionRemoved = Type.Static<typeof SuppressionRemoved>;

/** What the provider-events endpoint answers (2xx, so the provider does not retry). */
export const ProviderEventReceipt = Type.Object(
  {
    received: Type.Literal(true),
    outcome: Type.Enum(['applied', 'duplicate', 'ignored'], {
      description:
        '`applied`: a message changed; `duplicate`: already known; `ignored`: not an event or message Relance follows.',
    }),
  },
  { additionalProperties: false },
);
export type ProviderEventReceipt = Type.Static<typeof ProviderEventReceipt>;

export const PhoneSuppression = Type.Object(
  {
    object: Type.Literal('phone_suppression'),
    phone: Type.String({ description: 'The mobile number, E.164. Text messages are not sent to it.' }),
    reason: Type.Enum(['stop', 'opted_out', 'manual'], {
      description:
        '`stop`: the customer answered STOP (or another opt-out word); `opted_out`: the provider refused a text because the number opted out of the sender; `manual`.',
    }),
    message_id: Nullable(Type.String({ description: 'The text message that was refused, when the provider said so.' })),
    created_at: Timestamp,
  },
  { $id: 'PhoneSuppression', additionalProperties: false },
);
export type PhoneSuppression = Type.Static<typeof PhoneSuppression>;

export const PhoneSuppressionListQuery = Type.Object(
  {
    limit: ListQuery.limit,
    starting_after: Type.Optional(
      Type.String({ maxLength: 32, description: 'Cursor: the number of the last suppression of the previous page.' }),
    ),
  },
  { additionalProperties: false },
);
export type PhoneSuppressionListQuery = Type.Static<typeof PhoneSuppressionListQuery>;

export const PhoneSuppressionRemoved = Type.Object(
  { object: Type.Literal('phone_suppression'), phone: Type.String(), deleted: Type.Literal(true) },
  { $id: 'PhoneSuppressionRemoved', additionalProperties: false },
);
export type PhoneSuppressionRemoved = Type.Static<typeof PhoneSuppressionRemoved>;
