/**
 * Payment terms: how an invoice's due date follows from its issue date, and
 * the optional early-payment ("escompte") discount. Pure calendar rules.
 */
import { addDays, endOfMonth } from '../calendar.ts';

/**
 * How the due date is derived from the issue date. The two end-of-month kinds
 * are the two readings French practice admits for "N jours fin de mois"
 * (Code de commerce art. L441-10 caps B2B terms at 60 days from issue or
 * 45 days end of month): add N days then go to the month end, or go to the
 * month end then add N days.
 */
export type DueDateRule =
  | { kind: 'due_on_receipt' }
  /** Issue date + `days`. */
  | { kind: 'net'; days: number }
  /** "45 jours fin de mois": issue date + `days`, then the last day of that month. */
  | { kind: 'days_end_of_month'; days: number }
  /** "Fin de mois + 10": last day of the issue month, then + `days`. */
  | { kind: 'end_of_month_plus'; days: number };

/** Due date (`YYYY-MM-DD`) of an invoice issued on `issueDate` under `rule`. */
export function dueDateFor(rule: DueDateRule, issueDate: string): string {
  switch (rule.kind) {
    case 'due_on_receipt':
      return addDays(issueDate, 0);
    case 'net':
      return addDays(issueDate, rule.days);
    case 'days_end_of_month':
      return endOfMonth(addDays(issueDate, rule.days));
    case 'end_of_month_plus':
      return addDays(endOfMonth(issueDate), rule.days);
    default: {
      const unknown: never = rule;
      throw new TypeError(`Unknown due date rule ${JSON.stringify(unknown)}`);
    }
  }
}

/** Discount for paying early: `percent_bps` basis points (200 = 2 %) off if paid within `within_days` of issue. */
export interface EarlyPaymentDiscount {
  percent_bps: number;
  within_days: number;
}

/** Last day (inclusive) on which the early-payment discount applies: issue date + `within_days`. */
export function earlyDiscountDeadline(discount: EarlyPaymentDiscount, issueDate: string): string {
  return addDays(issueDate, discount.within_days);
}

/**
 * Discount in minor units on `totalMinor`, rounded half-up (half away from
 * zero for a negative total, so a credit note mirrors its invoice).
 * Computed in BigInt: total × bps can exceed 2^53 for large amounts.
 */
export function earlyDiscountAmount(discount: EarlyPaymentDiscount, totalMinor: number): number {
  const magnitude = (BigInt(Math.abs(totalMinor)) * BigInt(discount.percent_bps) + 5000n) / 10000n;
  const amount = Number(magnitude);
  return totalMinor < 0 && amount !== 0 ? -amount : amount;
}

/** A payment term every account starts with. */
export interface BuiltinTerms {
  code: string;
  name: string;
  rule: DueDateRule;
}

/** Payment terms created with each account, in display order. */
export const BUILTIN_PAYMENT_TERMS: readonly BuiltinTerms[] = Object.freeze(
  (
    [
      { code: 'due_on_receipt', name: 'Due on receipt', rule: { kind: 'due_on_receipt' } },
      { code: 'net_15', name: 'Net 15', rule: { kind: 'net', days: 15 } },
      { code: 'net_30', name: 'Net 30', rule: { kind: 'net', days: 30 } },
      { code: 'net_45', name: 'Net 45', rule: { kind: 'net', days: 45 } },
      { code: 'net_60', name: 'Net 60', rule: { kind: 'net', days: 60 } },
      { code: 'eom_30', name: '30 days end of month', rule: { kind: 'days_end_of_month', days: 30 } },
      { code: 'eom_45', name: '45 days end of month', rule: { kind: 'days_end_of_month', days: 45 } },
      { code: 'eom_plus_10', name: 'End of month + 10 days', rule: { kind: 'end_of_month_plus', days: 10 } },
    ] satisfies BuiltinTerms[]
  ).map((terms) => Object.freeze({ ...terms, rule: Object.freeze(terms.rule) })),
);

/** Code of the built-in terms applied when an invoice names none. */
export const DEFAULT_TERMS_CODE = 'net_30';

const dayCount = (days: number): string => `${days} day${days === 1 ? '' : 's'}`;

/** English description of a rule, e.g. "Net 30", "45 days end of month", "End of month + 10 days". */
export function describeRule(rule: DueDateRule): string {
  switch (rule.kind) {
    case 'due_on_receipt':
      return 'Due on receipt';
    case 'net':
      return `Net ${rule.days}`;
    case 'days_end_of_month':
      return rule.days === 0 ? 'End of month' : `${dayCount(rule.days)} end of month`;
    case 'end_of_month_plus':
      return rule.days === 0 ? 'End of month' : `End of month + ${dayCount(rule.days)}`;
    default: {
      const unknown: never = rule;
      throw new TypeError(`Unknown due date rule ${JSON.stringify(unknown)}`);
    }
  }
}
