import type { CustomerBehaviour } from '../../domain/behaviour/index.ts';
import { notFound } from '../../errors.ts';
import { builder } from '../builder.ts';
import { CustomerRef } from './customer.ts';

type CurrencyBehaviour = CustomerBehaviour['currencies'][number];

const CurrencyBehaviourRef = builder.objectRef<CurrencyBehaviour>('CurrencyBehaviour').implement({
  description:
    'Lateness and overdue amount of one customer in one currency (minor units, never summed across currencies).',
  fields: (t) => ({
    currency: t.exposeString('currency'),
    paidInvoices: t.exposeInt('paid_invoices'),
    paidLateInvoices: t.exposeInt('paid_late_invoices'),
    paidAmount: t.expose('paid_amount', { type: 'Amount' }),
    averageDaysLate: t.exposeFloat('average_days_late', {
      nullable: true,
      description: 'Σ(total × days late) ÷ Σ(total) over the invoices paid in the window.',
    }),
    overdueAmount: t.expose('overdue_amount', { type: 'Amount' }),
    overdueInvoices: t.exposeInt('overdue_invoices'),
  }),
});

const CustomerBehaviourRef = builder.objectRef<CustomerBehaviour>('CustomerBehaviour').implement({
  description:
    'How a customer pays over the 12 months ending today (REST: `GET /v1/customers/{id}/behaviour`; formulas in docs/behaviour.md).',
  fields: (t) => ({
    asOf: t.expose('as_of', { type: 'Date' }),
    windowFrom: t.expose('window_from', { type: 'Date' }),
    paidInvoices: t.exposeInt('paid_invoices'),
    paidLateInvoices: t.exposeInt('paid_late_invoices'),
    sharePaidLate: t.exposeFloat('share_paid_late', { nullable: true }),
    remindersOnPaidInvoices: t.exposeInt('reminders_on_paid_invoices'),
    remindersPerPaidInvoice: t.exposeFloat('reminders_per_paid_invoice', { nullable: true }),
    promisesMade: t.exposeInt('promises_made'),
    promisesBroken: t.exposeInt('promises_broken'),
    paymentPlansBreached: t.exposeInt('payment_plans_breached'),
    firmReminders: t.exposeInt('firm_reminders'),
    unansweredReminders: t.exposeInt('unanswered_reminders'),
    lastPaymentOn: t.expose('last_payment_on', { type: 'Date', nullable: true }),
    currencies: t.field({ type: [CurrencyBehaviourRef], resolve: (b) => b.currencies }),
  }),
});

builder.objectFields(CustomerRef, (t) => ({
  behaviour: t.field({
    type: CustomerBehaviourRef,
    description: 'How this customer pays; a list of customers is computed in one batch.',
    resolve: async (customer, _args, { loaders }) => {
      const behaviour = await loaders.behaviourOfCustomer.load(customer.id);
      if (!behaviour) throw notFound('customer', customer.id);
      return behaviour;
    },
  }),
}));
