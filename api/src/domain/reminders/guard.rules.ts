import { addDays, compareDates } from '../calendar.ts';

/** Days after a promised payment date before the promise counts as broken and reminders resume. */
export const PROMISE_GRACE_DAYS = 2;

export type SkipReason = 'paid' | 'void' | 'uncollectible' | 'draft' | 'below_minimum' | 'stale' | 'no_recipient' | 'suppressed';

export type GuardVerdict =
  | { action: 'send'; promiseBroken: boolean }
  | { action: 'skip'; reason: SkipReason }
  /** Wait until someone acts (a dispute is resolved, an open-ended pause is lifted). */
  | { action: 'hold'; reason: 'disputed' | 'paused' | 'customer_paused' }
  /** Wait until a date passes (a pause with an end, a promise to pay), then try again. */
  | { action: 'defer'; reason: 'paused' | 'customer_paused' | 'promise'; until: string };

export interface GuardInput {
  invoice: {
    status: string;
    balance: number;
    due_date: string;
    disputed: boolean;
    paused: boolean;
    paused_until: string | null;
    promise_to_pay_on: string | null;
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

/** A pause that is on today: open-ended, or ending on a date not yet passed. */
function activePause(paused: boolean, until: string | null, today: string): 'open' | string | null {
  if (!paused) return null;
  if (until === null) return 'open';
  return compareDates(until, today) >= 0 ? until : null;
}

/**
 * The check right before a reminder goes out (run with the invoice row locked): is it still owed,
 * above the minimum, not disputed, paused or promised, and not superseded by a later step?
 * A reminder never goes out after payment, and a stale one is skipped rather than sent late.
 */
export function guardBeforeSend(input: GuardInput): GuardVerdict {
  const { invoice, customer, today } = input;
  if (invoice.status === 'paid' || invoice.status === 'void' || invoice.status === 'uncollectible' || invoice.status === 'draft') {
    return { action: 'skip', reason: invoice.status };
  }
  if (invoice.balance <= 0) return { action: 'skip', reason: 'paid' };
  if (invoice.balance < input.minBalance) return { action: 'skip', reason: 'below_minimum' };
  if (invoice.disputed) return { action: 'hold', reason: 'disputed' };

  const invoicePause = activePause(invoice.paused, invoice.paused_until, today);
  if (invoicePause === 'open') return { action: 'hold', reason: 'paused' };
  if (invoicePause) return { action: 'defer', reason: 'paused', until: addDays(invoicePause, 1) };
  const customerPause = activePause(customer.paused, customer.paused_until, today);
  if (customerPause === 'open') return { action: 'hold', reason: 'customer_paused' };
  if (customerPause) return { action: 'defer', reason: 'customer_paused', until: addDays(customerPause, 1) };

  let promiseBroken = false;
  if (invoice.promise_to_pay_on) {
    const resumeOn = addDays(invoice.promise_to_pay_on, PROMISE_GRACE_DAYS + 1);
    if (compareDates(today, resumeOn) < 0) return { action: 'defer', reason: 'promise', until: resumeOn };
    promiseBroken = true;
  }

  // "7 days before due" after the due date, or any step once a later one is due, is stale.
  if (input.occurrence.offset_days < 0 && compareDates(today, invoice.due_date) > 0) return { action: 'skip', reason: 'stale' };
  if (input.laterStepDue) return { action: 'skip', reason: 'stale' };
  return { action: 'send', promiseBroken };
}
