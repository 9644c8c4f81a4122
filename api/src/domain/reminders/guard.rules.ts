import { addDays, compareDates } from '../calendar.ts';
import { CHASED_STATUSES, isChased } from '../invoices/index.ts';
import { activePause } from '../customers/index.ts';

/** Days after a promised payment date before the promise counts as broken and reminders resume. */
export const PROMISE_GRACE_DAYS = 2;

export type SkipReason =
  | 'paid'
  | 'void'
  | 'uncollectible'
  | 'draft'
  | 'below_minimum'
  | 'stale'
  | 'no_recipient'
  | 'suppressed';

export type GuardVerdict =
  | { action: 'send'; promiseBroken: boolean }
  | { action: 'skip'; reason: SkipReason }
  /** Wait until someone acts (a dispute is resolved, an open-ended pause is lifted). */
  | { action: 'hold'; reason: 'disputed' | 'paused' | 'customer_paused' }
  /** Wait until a date passes (a pause with an end, a promise to pay), then try again. */
  | { action: 'defer'; reason: 'paused' | 'customer_paused' | 'promise' | 'payment_claim'; until: string };

export interface GuardInput {
  invoice: {
    status: string;
    balance: number;
    due_date: string;
    disputed: boolean;
    paused: boolean;
    paused_until: string | null;
    promise_to_pay_on: string | null;
    /** The customer says it paid: reminders wait through this day while someone checks (a payment claim). */
    payment_claimed_until: string | null;
  };
  customer: { paused: boolean; paused_until: string | null };
  occurrence: { offset_days: number };
  /** The policy's minimum balance in the invoice's currency (0 when none). */
  minBalance: number;
  /** Today in the account's time zone. */
  today: string;
  /** Whether a later step of the same invoice is already due: this one is then superseded. */
  laterStepDue: boolean;
}

/**
 * The check right before a reminder goes out (run with the invoice row locked): is it still owed,
 * above the minimum, not disputed, paused or promised, and not superseded by a later step?
 * A reminder never goes out after payment, and a stale one is skipped rather than sent late.
 */
export function guardBeforeSend(input: GuardInput): GuardVerdict {
  const { invoice, customer, today } = input;
  const closed = closedReason(invoice);
  if (closed) return { action: 'skip', reason: closed };
  if (invoice.balance < input.minBalance) return { action: 'skip', reason: 'below_minimum' };
  if (invoice.disputed) return { action: 'hold', reason: 'disputed' };

  const invoicePause = activePause({ ...invoice, pause_reason: null }, today);
  if (invoicePause) {
    return invoicePause.until === null
      ? { action: 'hold', reason: 'paused' }
      : { action: 'defer', reason: 'paused', until: addDays(invoicePause.until, 1) };
  }
  const customerPause = activePause({ ...customer, pause_reason: null }, today);
  if (customerPause) {
    return customerPause.until === null
      ? { action: 'hold', reason: 'customer_paused' }
      : { action: 'defer', reason: 'customer_paused', until: addDays(customerPause.until, 1) };
  }

  if (invoice.payment_claimed_until && compareDates(today, invoice.payment_claimed_until) <= 0)
    return { action: 'defer', reason: 'payment_claim', until: addDays(invoice.payment_claimed_until, 1) };

  let promiseBroken = false;
  if (invoice.promise_to_pay_on) {
    const resumeOn = addDays(invoice.promise_to_pay_on, PROMISE_GRACE_DAYS + 1);
    if (compareDates(today, resumeOn) < 0) return { action: 'defer', reason: 'promise', until: resumeOn };
    promiseBroken = true;
  }

  // "7 days before due" after the due date, or any step once a later one is due, is stale.
  if (input.occurrence.offset_days < 0 && compareDates(today, invoice.due_date) > 0)
    return { action: 'skip', reason: 'stale' };
  if (input.laterStepDue) return { action: 'skip', reason: 'stale' };
  return { action: 'send', promiseBroken };
}

/** Why an invoice is no longer chased at all (closed, or nothing left to pay), or null. */
function closedReason(invoice: { status: string; balance: number }): SkipReason | null {
  if (isChased(invoice)) return null;
  return CHASED_STATUSES.includes(invoice.status) ? 'paid' : (invoice.status as SkipReason);
}

/**
 * The last check before a stored email leaves (a payment, a void or a dispute may have landed
 * since the guard ran): the reason to stop it, or null to send it.
 */
export function reasonToStopDelivery(invoice: { status: string; balance: number; disputed: boolean }): string | null {
  return closedReason(invoice) ?? (invoice.disputed ? 'disputed' : null);
}
