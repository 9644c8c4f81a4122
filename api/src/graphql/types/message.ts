import type {
  Message,
  MessageListQuery,
  PhoneSuppression,
  PhoneSuppressionListQuery,
  Suppression,
  SuppressionListQuery,
} from '../../domain/messages/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery } from '../convert.ts';
import { listType, pageArgs } from './common.ts';

export const MessageStatus = builder.enumType('MessageStatus', {
  description:
    '`PENDING` (stored, not yet accepted by the provider) → `SENT` → `DELIVERED`, or `BOUNCED` / `COMPLAINED` from the ' +
    "provider's events; `FAILED` when the provider refused it; `CANCELED` when it was never sent; `UNKNOWN`: a text " +
    'message whose last attempt got no answer (the provider may have sent it): never sent again by itself.',
  values: {
    PENDING: { value: 'pending' },
    SENT: { value: 'sent' },
    DELIVERED: { value: 'delivered' },
    BOUNCED: { value: 'bounced' },
    COMPLAINED: { value: 'complained' },
    FAILED: { value: 'failed' },
    CANCELED: { value: 'canceled' },
    UNKNOWN: { value: 'unknown' },
  } as const,
});

const MessageTransport = builder.enumType('MessageTransport', {
  description:
    '`RESEND` or `TWILIO` when sent through that provider; `OUTBOX` when kept locally (no provider configured).',
  values: { OUTBOX: { value: 'outbox' }, RESEND: { value: 'resend' }, TWILIO: { value: 'twilio' } } as const,
});

const SuppressionReason = builder.enumType('SuppressionReason', {
  values: { BOUNCED: { value: 'bounced' }, COMPLAINED: { value: 'complained' }, MANUAL: { value: 'manual' } } as const,
});

const MessageAttachmentRef = builder.objectRef<NonNullable<Message['attachment']>>('MessageAttachment').implement({
  description:
    "The file attached to an email: the invoice's PDF (docs/email.md#attachments) or the customer's statement (docs/reports.md#statements-by-email).",
  fields: (t) => ({
    kind: t.exposeString('kind', { description: '`invoice_pdf` or `statement`.' }),
    url: t.exposeString('url', {
      nullable: true,
      description: "Where the invoice's PDF is fetched from; null for a statement.",
    }),
    documentId: t.exposeID('document_id', { nullable: true, description: 'The stored copy that was sent.' }),
    error: t.exposeString('error', {
      nullable: true,
      description: 'Why it could not be attached (the link went instead).',
    }),
  }),
});

export const MessageRef = builder.objectRef<Message>('Message').implement({
  description:
    'An email or a text message sent to a customer (or kept in the local outbox), with its delivery status. A text ' +
    'message has its number in `to`, its words in `text`, and an empty `subject` and `html`.',
  fields: (t) => ({
    id: t.exposeID('id'),
    channel: t.exposeString('channel', { description: '`email` or `sms`.' }),
    transport: t.expose('transport', { type: MessageTransport }),
    status: t.expose('status', { type: MessageStatus }),
    occurrenceId: t.exposeID('occurrence_id', {
      nullable: true,
      description: 'The planned reminder this message carries.',
    }),
    invoiceId: t.exposeID('invoice_id', { nullable: true }),
    customerId: t.exposeID('customer_id', { nullable: true }),
    from: t.exposeString('from'),
    to: t.exposeStringList('to'),
    cc: t.exposeStringList('cc'),
    replyTo: t.exposeString('reply_to', { nullable: true }),
    subject: t.exposeString('subject'),
    // Lists carry no bodies: asking for them there loads each message.
    html: t.string({
      description: 'The HTML body as sent.',
      resolve: async (message, _args, { actor, services }) =>
        message.html ?? (await services.messages.get(actor, message.id)).html ?? '',
    }),
    text: t.string({
      description: 'The plain-text body as sent.',
      resolve: async (message, _args, { actor, services }) =>
        message.text ?? (await services.messages.get(actor, message.id)).text ?? '',
    }),
    attachment: t.expose('attachment', {
      type: MessageAttachmentRef,
      nullable: true,
      description: "The invoice's PDF, for an email of a step that attaches it.",
    }),
    templateKey: t.exposeString('template_key', { nullable: true }),
    groupKey: t.exposeString('group_key', {
      nullable: true,
      description: 'A grouped message (one per customer, day and channel): its key; it carries several reminders.',
    }),
    locale: t.exposeString('locale', { nullable: true }),
    providerMessageId: t.exposeString('provider_message_id', {
      nullable: true,
      description: "The provider's id of the email.",
    }),
    error: t.exposeString('error', {
      nullable: true,
      description: 'Why the last attempt failed, or how the email bounced.',
    }),
    attempts: t.exposeInt('attempts'),
    sentAt: t.expose('sent_at', { type: 'DateTime', nullable: true }),
    deliveredAt: t.expose('delivered_at', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

export const SuppressionRef = builder.objectRef<Suppression>('Suppression').implement({
  description: 'An address reminders are not sent to: it hard-bounced, complained, or was suppressed by hand.',
  fields: (t) => ({
    email: t.exposeString('email'),
    reason: t.expose('reason', { type: SuppressionReason }),
    messageId: t.exposeID('message_id', {
      nullable: true,
      description: 'The message whose bounce or complaint suppressed the address.',
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
  }),
});

const RemovedSuppression = builder.objectRef<{ email: string; deleted: true }>('RemovedSuppression').implement({
  description: 'The answer to removeSuppression: the address reminders may go to again.',
  fields: (t) => ({ email: t.exposeString('email'), deleted: t.exposeBoolean('deleted') }),
});

const MessageList = listType('Message', MessageRef);

const SuppressionList = builder
  .objectRef<{ data: Suppression[]; has_more: boolean; next_cursor: string | null }>('SuppressionList')
  .implement({
    description: 'A page of suppressions in address order; pass `nextCursor` as `startingAfter` for the next one.',
    fields: (t) => ({
      data: t.expose('data', { type: [SuppressionRef] }),
      hasMore: t.exposeBoolean('has_more'),
      nextCursor: t.exposeString('next_cursor', { nullable: true }),
    }),
  });

builder.queryFields((t) => ({
  message: t.field({
    type: MessageRef,
    nullable: true,
    description: 'A message of this account, with its bodies, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.messages.get(actor, String(id))),
  }),
  messages: t.field({
    type: MessageList,
    description: 'Emails sent (or kept in the outbox), newest first.',
    args: {
      ...pageArgs,
      invoiceId: t.arg.id({ description: 'Only messages about this invoice.' }),
      customerId: t.arg.id({ description: 'Only messages to this customer.' }),
      status: t.arg({ type: MessageStatus }),
      to: t.arg.string({ description: 'Only messages sent to this address (case-insensitive).' }),
    },
    resolve: (_root, args, { actor, services }) => services.messages.list(actor, toListQuery<MessageListQuery>(args)),
  }),
  suppressions: t.field({
    type: SuppressionList,
    description: 'Suppressed addresses, in address order.',
    args: {
      limit: t.arg.int({ description: 'Page size, 1 to 100 (default 20).' }),
      startingAfter: t.arg.string({ description: 'Cursor: the email of the last suppression of the previous page.' }),
    },
    resolve: (_root, args, { actor, services }) =>
      services.messages.listSuppressions(actor, toListQuery<SuppressionListQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  removeSuppression: t.field({
    type: RemovedSuppression,
    description: 'Lets reminders go to a suppressed address again (`suppression/not_found` if it is not suppressed).',
    args: { email: t.arg.string({ required: true }) },
    resolve: (_root, { email }, { actor, services }) => services.messages.removeSuppression(actor, email),
  }),
}));

const PhoneSuppressionReason = builder.enumType('PhoneSuppressionReason', {
  description:
    '`STOP`: the customer answered STOP; `OPTED_OUT`: the provider refused a text because the number opted out; `MANUAL`.',
  values: { STOP: { value: 'stop' }, OPTED_OUT: { value: 'opted_out' }, MANUAL: { value: 'manual' } } as const,
});

const PhoneSuppressionRef = builder.objectRef<PhoneSuppression>('PhoneSuppression').implement({
  description: 'A mobile number text messages are not sent to (docs/sms.md#stop).',
  fields: (t) => ({
    phone: t.exposeString('phone', { description: 'E.164.' }),
    reason: t.expose('reason', { type: PhoneSuppressionReason }),
    messageId: t.exposeID('message_id', { nullable: true, description: 'The text the provider refused, if any.' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
  }),
});

const PhoneSuppressionList = builder
  .objectRef<{ data: PhoneSuppression[]; has_more: boolean; next_cursor: string | null }>('PhoneSuppressionList')
  .implement({
    description: 'A page of suppressed numbers in number order; pass `nextCursor` as `startingAfter` for the next one.',
    fields: (t) => ({
      data: t.expose('data', { type: [PhoneSuppressionRef] }),
      hasMore: t.exposeBoolean('has_more'),
      nextCursor: t.exposeString('next_cursor', { nullable: true }),
    }),
  });

const RemovedPhoneSuppression = builder
  .objectRef<{ phone: string; deleted: true }>('RemovedPhoneSuppression')
  .implement({
    description: 'The answer to removePhoneSuppression: the number may be texted again.',
    fields: (t) => ({ phone: t.exposeString('phone'), deleted: t.exposeBoolean('deleted') }),
  });

builder.queryFields((t) => ({
  phoneSuppressions: t.field({
    type: PhoneSuppressionList,
    description: 'Mobile numbers that are not texted, in number order.',
    args: {
      limit: t.arg.int({ description: 'Page size, 1 to 100 (default 20).' }),
      startingAfter: t.arg.string({ description: 'Cursor: the number of the last suppression of the previous page.' }),
    },
    resolve: (_root, args, { actor, services }) =>
      services.sms.listSuppressions(actor, toListQuery<PhoneSuppressionListQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  removePhoneSuppression: t.field({
    type: RemovedPhoneSuppression,
    description: 'Lets text messages go to a number again (`phone_suppression/not_found` if it is not suppressed).',
    args: { phone: t.arg.string({ required: true, description: 'E.164.' }) },
    resolve: (_root, { phone }, { actor, services }) => services.sms.removeSuppression(actor, phone),
  }),
}));
