/** A reminder is a firm step when its offset is two weeks or more, or its template is a firm one. */
export const FIRM_MIN_OFFSET_DAYS = 14;
export const FIRM_TEMPLATES = ['overdue_firm', 'final_notice'] as const;
/** Days a customer has to answer a firm step (pay, promise or dispute) before it counts as unanswered. */
export const ANSWER_DAYS = 7;

/**
 * The events after which a customer's figures may have changed (a payment, an invoice falling
 * overdue or paid, a fee, a promise, a breached plan, a dispute). The workers raise the
 * customer's `behaviour_version` as they take these events from the outbox. A reminder sent or a
 * page visited changes nothing until a day has passed (they are judged after 7 days), which the
 * day of the figures (`as_of`) already covers.
 */
export const BEHAVIOUR_EVENTS = [
  'invoice.created',
  'invoice.finalized',
  'invoice.overdue',
  'invoice.partially_paid',
  'invoice.paid',
  'invoice.reopened',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.fee_applied',
  'invoice.fee_waived',
  'promise.made',
  'promise.broken',
  'payment.received',
  'payment.credit_applied',
  'payment.reversed',
  'payment_plan.breached',
  'dispute.opened',
] as const;
