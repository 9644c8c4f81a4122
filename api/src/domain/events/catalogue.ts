import { Event } from './event.schemas.ts';

/** One kind of event: what it says, the object it concerns and the schema (`$id`) of its `data`. */
export interface EventTypeEntry {
  readonly type: string;
  /** The `object_type` of its events. */
  readonly objectType: string;
  /** The public schema of `data`: a snapshot of the object as the API shows it, at the time. */
  readonly payload: string;
  readonly description: string;
}

const entry = (type: string, objectType: string, payload: string, description: string): EventTypeEntry => ({
  type,
  objectType,
  payload,
  description,
});

/**
 * Every event type Relance writes: the one source of the OpenAPI `webhooks` section, of
 * docs/events.md and of the SDK's `RelanceEvent` union. A new type is one line here (its payload
 * schema must be a registered public schema), then `npm run generate`.
 */
export const EVENT_CATALOGUE: readonly EventTypeEntry[] = [
  entry('invoice.created', 'invoice', 'Invoice', 'An invoice was registered (draft or open).'),
  entry('invoice.updated', 'invoice', 'Invoice', 'A draft invoice was edited.'),
  entry(
    'invoice.finalized',
    'invoice',
    'Invoice',
    'A draft invoice was finalized: it is open and followed up from now on.',
  ),
  entry('invoice.due_soon', 'invoice', 'Invoice', 'An open invoice falls due in three days (once per invoice).'),
  entry(
    'invoice.overdue',
    'invoice',
    'Invoice',
    'An invoice is unpaid at the local midnight after its due date (once per invoice).',
  ),
  entry('invoice.partially_paid', 'invoice', 'Invoice', 'A payment covered part of the balance.'),
  entry('invoice.paid', 'invoice', 'Invoice', 'The balance reached zero: reminders stop.'),
  entry('invoice.reopened', 'invoice', 'Invoice', 'A reversed payment reopened a paid invoice: reminders resume.'),
  entry(
    'invoice.voided',
    'invoice',
    'Invoice',
    'The invoice was voided (directly, or by a dispute resolved for the customer).',
  ),
  entry('invoice.marked_uncollectible', 'invoice', 'Invoice', 'The invoice was written off.'),
  entry('invoice.paused', 'invoice', 'Invoice', "The invoice's reminders were paused."),
  entry(
    'invoice.einvoice_status',
    'invoice',
    'EinvoiceStatus',
    'An e-invoicing lifecycle status was recorded for the invoice, with what Relance did (a dispute, a pause, a payment claim, a release, or nothing).',
  ),
  entry(
    'invoice.collected',
    'invoice',
    'InvoiceCollection',
    'Money was received on an invoice that has an e-invoicing lifecycle: report it to its platform as 212 Encaissée.',
  ),
  entry('invoice.resumed', 'invoice', 'Invoice', "The invoice's reminders were resumed."),
  entry(
    'invoice.fee_applied',
    'invoice',
    'InvoiceFee',
    'A late fee (recovery fee or interest) was added to the invoice.',
  ),
  entry('invoice.fee_waived', 'invoice', 'InvoiceFee', 'A late fee was waived.'),
  entry(
    'reference_rate.missing',
    'reference_rate',
    'ReferenceRateMissing',
    'Interest was computed with a central-bank rate assumed unchanged: the rate of its reference date (passed over 30 days ago) is not recorded. Once per account, source and period; `object_id` is `<source>:<period>` (`ecb_mro:2026-H2`).',
  ),
  entry(
    'promise.made',
    'invoice',
    'PromiseToPayChange',
    'The customer promised to pay by a date: reminders wait until then.',
  ),
  entry('promise.cleared', 'invoice', 'PromiseToPayChange', 'A promise to pay was withdrawn.'),
  entry(
    'promise.broken',
    'invoice',
    'PromiseToPayChange',
    'A promised date passed (plus two days of grace) unpaid: reminders resume.',
  ),
  entry('reminder.scheduled', 'invoice', 'ReminderSchedule', "The invoice's reminders were planned or replanned."),
  entry(
    'reminder.sent',
    'reminder',
    'Reminder',
    'A reminder went out: an email, a task, or (webhook steps) only this event.',
  ),
  entry('reminder.skipped', 'reminder', 'Reminder', 'A reminder was not sent, and `reason` says why.'),
  entry(
    'reminder.upcoming',
    'reminder',
    'Reminder',
    "A reminder goes at `scheduled_at`, within its policy's `upcoming_hours` (default 24): hold it (`POST /v1/reminders/{id}/hold`) or cancel it (`/cancel`) first if it should not. Written again if its time changes.",
  ),
  entry(
    'reminder.held',
    'reminder',
    'Reminder',
    'The integrator held a reminder until `held_until` (`POST /v1/reminders/{id}/hold`).',
  ),
  entry(
    'reminder.failed',
    'reminder',
    'Reminder',
    'A reminder could not be sent (the provider refused it, or its template did not render); `error` says why. A "not now" answer (429, 5xx, no answer) never fails a reminder.',
  ),
  entry(
    'reminder.requeued',
    'reminder',
    'Reminder',
    'A failed reminder was put back in the queue (`POST /v1/reminders/{id}/retry`).',
  ),
  entry('task.created', 'task', 'Task', 'A call, letter or collection step created a task for a person.'),
  entry(
    'document.created',
    'document',
    'Document',
    "A document's file was stored (PDF, `GET /v1/documents/{id}`): the formal notice of a letter step, written by the workers shortly after its reminder decided what it states (its task links to it from the start, `pending` until this event), or an invoice copy or a statement an email attached. The file is stored once and never regenerated.",
  ),
  entry(
    'statement.sent',
    'statement_mailing',
    'StatementMailing',
    "A customer's monthly statement went out by email, its PDF attached (docs/reports.md#statements-by-email): once per customer and month.",
  ),
  entry('task.updated', 'task', 'Task', 'A task was assigned, annotated or rescheduled.'),
  entry('task.completed', 'task', 'Task', 'A task was completed, with its outcome.'),
  entry('task.canceled', 'task', 'Task', 'A task was canceled.'),
  entry('customer.created', 'customer', 'Customer', 'A customer was created (directly or with an invoice).'),
  entry('customer.updated', 'customer', 'Customer', 'A customer was changed.'),
  entry(
    'portal.viewed',
    'customer',
    'PortalEvent',
    'The customer opened its page (docs/portal.md); at most once an hour per link.',
  ),
  entry(
    'portal_link.rotated',
    'customer',
    'PortalEvent',
    "The customer's page link was replaced; the old one no longer opens.",
  ),
  entry('portal_link.revoked', 'customer', 'PortalEvent', "The customer's page link was revoked."),
  entry(
    'customer.risk_changed',
    'customer',
    'CustomerRiskChange',
    "The customer's risk level in force changed: assessed from its payment behaviour, or overruled by a person (docs/behaviour.md#risk).",
  ),
  entry('customer.deleted', 'customer', 'Customer', 'A customer was deleted.'),
  entry('customer.paused', 'customer', 'Customer', "The customer's reminders were paused."),
  entry('customer.resumed', 'customer', 'Customer', "The customer's reminders were resumed."),
  entry('payment.received', 'payment', 'Payment', 'A payment was recorded and allocated to invoices.'),
  entry(
    'payment.credit_applied',
    'payment',
    'Payment',
    "The customer's credit from a payment was applied to invoices.",
  ),
  entry(
    'payment.reversed',
    'payment',
    'Payment',
    'A payment was reversed (bounced transfer, refund): balances reopen.',
  ),
  entry(
    'customer.anonymized',
    'customer',
    'Customer',
    "A customer's personal data was erased; its invoices, payments and fees stay. Earlier customer events now carry the erased customer.",
  ),
  entry('dispute.opened', 'dispute', 'Dispute', 'A dispute was opened: reminders on its invoice pause.'),
  entry('dispute.resolved', 'dispute', 'Dispute', 'A dispute was resolved, for the customer or the creditor.'),
  entry(
    'payment_claim.created',
    'payment_claim',
    'PaymentClaim',
    'The customer says it already paid an invoice: its reminders wait until `hold_until` and a `payment_claim` task asks someone to check.',
  ),
  entry(
    'payment_claim.confirmed',
    'payment_claim',
    'PaymentClaim',
    'A payment recorded on the invoice confirmed the claim (`payment_id`).',
  ),
  entry(
    'payment_claim.rejected',
    'payment_claim',
    'PaymentClaim',
    "Someone found no such payment: the invoice's reminders resumed.",
  ),
  entry(
    'payment_claim.expired',
    'payment_claim',
    'PaymentClaim',
    'The hold passed with no payment recorded: the schedule resumed (the task stays open).',
  ),
  entry(
    'payment_plan.created',
    'payment_plan',
    'PaymentPlan',
    "A payment plan was agreed: the invoice's reminders follow its installments.",
  ),
  entry(
    'payment_plan.installment_missed',
    'payment_plan',
    'PaymentPlanInstallmentMissed',
    'An installment passed its date unpaid (one event per installment; `installment` says which).',
  ),
  entry(
    'payment_plan.breached',
    'payment_plan',
    'PaymentPlan',
    'Too many installments were missed: the plan ended and the invoice is followed up by its own policy again (late fees resume).',
  ),
  entry('payment_plan.completed', 'payment_plan', 'PaymentPlan', 'Every installment was paid (or the invoice was).'),
  entry(
    'payment_plan.cancelled',
    'payment_plan',
    'PaymentPlan',
    'The plan was cancelled, through the API or because its invoice was voided or written off.',
  ),
  entry(
    'webhook_endpoint.disabled',
    'webhook_endpoint',
    'WebhookEndpoint',
    'An endpoint was disabled by Relance: it answered 410 Gone, or failed every delivery for 3 days (`disabled_reason` says which).',
  ),
  entry(
    'webhook_endpoint.test',
    'webhook_endpoint',
    'WebhookEndpoint',
    'A test event, sent on demand to one endpoint only (`POST /v1/webhook_endpoints/{id}/test`).',
  ),
  entry(
    'message.delivered',
    'message',
    'MessageStatusChange',
    'The provider delivered a reminder (an email, or a text message on its delivery report).',
  ),
  entry(
    'message.failed',
    'message',
    'MessageStatusChange',
    "A text message the provider had accepted was not delivered (its report's error code in `error`).",
  ),
  entry('message.bounced', 'message', 'MessageStatusChange', 'A reminder email bounced (`bounce` says how).'),
  entry('message.complained', 'message', 'MessageStatusChange', 'The recipient marked a reminder email as spam.'),
  entry(
    'suppression.created',
    'suppression',
    'Suppression',
    'An address will not be written to again (hard bounce, complaint, or by hand).',
  ),
  entry('suppression.removed', 'suppression', 'Suppression', 'A suppressed address was allowed again.'),
  entry(
    'phone_suppression.created',
    'phone_suppression',
    'PhoneSuppression',
    'A mobile number will not be texted again: the customer answered STOP, or the provider says it opted out.',
  ),
  entry(
    'phone_suppression.removed',
    'phone_suppression',
    'PhoneSuppression',
    'A suppressed mobile number may be texted again (START, or by hand).',
  ),
];

export const eventTypeEntry = (type: string): EventTypeEntry | undefined =>
  EVENT_CATALOGUE.find((e) => e.type === type);

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** The Event envelope of one type: `type` fixed, `data` that type's payload schema. */
export function eventEnvelopeSchema(entry: EventTypeEntry): Record<string, unknown> {
  const { type: _type, data: _data, ...rest } = Event.properties;
  return {
    type: 'object',
    additionalProperties: false,
    required: [...Event.required],
    properties: {
      ...JSON.parse(JSON.stringify(rest)),
      type: { type: 'string', const: entry.type },
      object_type: { type: 'string', const: entry.objectType },
      data: ref(entry.payload),
    },
  };
}

/**
 * The OpenAPI 3.1 top-level `webhooks`: one POST per event type, its body the Event as
 * `GET /v1/events/{id}` shows it, signed per Standard Webhooks.
 */
export function openApiWebhooks(): Record<string, unknown> {
  return Object.fromEntries(
    EVENT_CATALOGUE.map((entry) => [
      entry.type,
      {
        post: {
          tags: ['Events'],
          summary: entry.description,
          description:
            `Sent to endpoints subscribed to \`${entry.type}\`. The body is the event as \`GET /v1/events/{id}\` shows it; ` +
            'the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers sign it (Standard Webhooks): check them with `verifyWebhook` from `@relance/sdk`.',
          parameters: [
            {
              in: 'header',
              name: 'webhook-id',
              required: true,
              schema: { type: 'string' },
              description: 'The event id: the same on every retry, so you can drop duplicates.',
            },
            {
              in: 'header',
              name: 'webhook-timestamp',
              required: true,
              schema: { type: 'string' },
              description: 'Unix seconds of this attempt.',
            },
            {
              in: 'header',
              name: 'webhook-signature',
              required: true,
              schema: { type: 'string' },
              description: 'Space-separated `v1,<base64 HMAC-SHA256>` signatures.',
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: eventEnvelopeSchema(entry) } } },
          responses: { '2XX': { description: 'Received. Any other answer, or none within the timeout, is retried.' } },
        },
      },
    ]),
  );
}
