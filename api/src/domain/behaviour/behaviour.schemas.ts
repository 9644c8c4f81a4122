import Type from 'typebox';
import { CalendarDate, Nullable } from '../shared/index.ts';

export const CurrencyBehaviour = Type.Object(
  {
    currency: Type.String(),
    paid_invoices: Type.Integer({ description: 'Invoices of this currency paid in the window.' }),
    paid_late_invoices: Type.Integer({ description: 'Those paid after their due date.' }),
    paid_amount: Type.Integer({ description: 'Sum of their totals (minor units): the weights of the average.' }),
    average_days_late: Nullable(
      Type.Number({
        description:
          'Σ(total × max(0, paid_on − due_date)) ÷ Σ(total) over the invoices paid in the window, 2 decimals; null without any.',
      }),
    ),
    overdue_amount: Type.Integer({ description: 'Amount due today (minor units) on invoices past their due date.' }),
    overdue_invoices: Type.Integer({ description: 'Invoices past their due date with a balance.' }),
  },
  { additionalProperties: false },
);

export const CustomerBehaviour = Type.Object(
  {
    object: Type.Literal('customer_behaviour'),
    customer_id: Type.String(),
    as_of: CalendarDate,
    window_from: Type.String({
      format: 'date',
      description: 'First day of the 12-month window ending `as_of` (both included).',
    }),
    paid_invoices: Type.Integer({
      description: 'Invoices paid in the window (the day of their last payment), all currencies.',
    }),
    paid_late_invoices: Type.Integer({ description: 'Those paid after their due date.' }),
    share_paid_late: Nullable(
      Type.Number({ description: 'paid_late_invoices ÷ paid_invoices, 4 decimals; null without paid invoices.' }),
    ),
    reminders_on_paid_invoices: Type.Integer({
      description: 'Reminders sent (any channel) on the invoices paid in the window.',
    }),
    reminders_per_paid_invoice: Nullable(
      Type.Number({
        description: 'reminders_on_paid_invoices ÷ paid_invoices, 2 decimals; null without paid invoices.',
      }),
    ),
    promises_made: Type.Integer({ description: 'Promises to pay recorded in the window (`promise.made`).' }),
    promises_broken: Type.Integer({ description: 'Promises broken in the window (`promise.broken`).' }),
    payment_plans_breached: Type.Integer({ description: 'Payment plans ended `breached` in the window.' }),
    firm_reminders: Type.Integer({
      description:
        'Firm steps sent in the window whose 7 days have passed: one per invoice and day with a reminder of offset ≥ 14 days or template `overdue_firm`/`final_notice`.',
    }),
    unanswered_reminders: Type.Integer({
      description:
        'Firm steps followed within 7 days by no payment, no promise to pay, no dispute and no visit to its page by the customer.',
    }),
    last_payment_on: Nullable(CalendarDate),
    currencies: Type.Array(CurrencyBehaviour, {
      description: 'Per currency, never summed across currencies; ordered by currency.',
    }),
  },
  { $id: 'CustomerBehaviour', additionalProperties: false },
);
export type CustomerBehaviour = Type.Static<typeof CustomerBehaviour>;
