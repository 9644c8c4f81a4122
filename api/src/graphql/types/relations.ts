import type { Payment, PaymentAllocation } from '../../domain/payments/index.ts';
import { PageQuery } from '../../domain/shared/index.ts';
import { notFound } from '../../errors.ts';
import { parseInput } from '../../validation.ts';
import { builder } from '../builder.ts';
import { toListQuery } from '../convert.ts';
import { pageArgs } from './common.ts';
import { CustomerRef } from './customer.ts';
import { DisputeRef } from './dispute.ts';
import { InvoiceList, InvoiceRef } from './invoice.ts';
import { InvoiceFeeRef } from './late-fee.ts';
import { MessageRef } from './message.ts';
import { PaymentAllocationRef, PaymentRef } from './payment.ts';
import { TimelineRef } from './reminder-policy.ts';
import { TaskRef } from './task.ts';

// Nested objects. Each resolves through the request's DataLoaders (graphql/loaders.ts), so a
// list asks the database once per kind of object, not once per item.

/** A related object that the database keeps (a foreign key): missing only if it was never visible. */
const present = <T>(value: T | null, kind: string, id: string): T => {
  if (value === null) throw notFound(kind, id);
  return value;
};

const InvoicePaymentRef = builder
  .objectRef<{ allocation: PaymentAllocation; payment: Payment }>('InvoicePayment')
  .implement({
    description:
      'A payment as it went to one invoice: the allocation (the part of the payment applied to it) and the whole payment.',
    fields: (t) => ({
      allocationId: t.id({ description: 'The id of the allocation.', resolve: (p) => p.allocation.id }),
      amount: t.field({
        type: 'Amount',
        description: 'The part of the payment applied to this invoice.',
        resolve: (p) => p.allocation.amount,
      }),
      reversed: t.boolean({
        description: 'Undone by the reversal of its payment.',
        resolve: (p) => p.allocation.reversed,
      }),
      createdAt: t.field({ type: 'DateTime', resolve: (p) => p.allocation.created_at }),
      payment: t.field({ type: PaymentRef, resolve: (p) => p.payment }),
    }),
  });

builder.objectFields(InvoiceRef, (t) => ({
  customer: t.field({
    type: CustomerRef,
    description: 'The customer who owes it.',
    resolve: async (invoice, _args, { loaders }) =>
      present(await loaders.customer.load(invoice.customer_id), 'customer', invoice.customer_id),
  }),
  payments: t.field({
    type: [InvoicePaymentRef],
    description: 'The payments allocated to it (reversed ones included, marked `reversed`), newest first.',
    resolve: async (invoice, _args, { loaders }) =>
      (await loaders.paymentsOfInvoice.load(invoice.id)).flatMap((payment) =>
        payment.allocations.filter((a) => a.invoice_id === invoice.id).map((allocation) => ({ allocation, payment })),
      ),
  }),
  fees: t.field({
    type: [InvoiceFeeRef],
    description:
      'Its late-fee lines, oldest first (waived ones included, marked `waived`); their sum in force is `lateFees`.',
    resolve: (invoice, _args, { loaders }) => loaders.feesOfInvoice.load(invoice.id),
  }),
  reminders: t.field({
    type: [MessageRef],
    description: 'The reminder messages sent (or being sent) about it, oldest first, without their bodies.',
    resolve: (invoice, _args, { loaders }) => loaders.remindersOfInvoice.load(invoice.id),
  }),
  timeline: t.field({
    type: TimelineRef,
    description: 'Its whole follow-up: the reminders sent, skipped and to come (as `invoiceTimeline`).',
    resolve: async (invoice, _args, { loaders }) =>
      present(await loaders.timelineOfInvoice.load(invoice.id), 'invoice', invoice.id),
  }),
}));

builder.objectFields(CustomerRef, (t) => ({
  invoices: t.field({
    type: InvoiceList,
    description: "The customer's invoices, newest first, one page at a time.",
    args: { ...pageArgs },
    resolve: (customer, args, { loaders }) => {
      const page = parseInput<PageQuery>(PageQuery, toListQuery<PageQuery>(args));
      return loaders.invoicesOfCustomer.load({
        customerId: customer.id,
        limit: page.limit ?? 20,
        startingAfter: page.starting_after,
      });
    },
  }),
}));

builder.objectFields(PaymentAllocationRef, (t) => ({
  invoice: t.field({
    type: InvoiceRef,
    description: 'The invoice this part of the payment went to.',
    resolve: async (allocation, _args, { loaders }) =>
      present(await loaders.invoice.load(allocation.invoice_id), 'invoice', allocation.invoice_id),
  }),
}));

for (const ref of [TaskRef, DisputeRef]) {
  builder.objectFields(ref, (t) => ({
    invoice: t.field({
      type: InvoiceRef,
      description: 'The invoice it is about.',
      resolve: async (object, _args, { loaders }) =>
        present(await loaders.invoice.load(object.invoice_id), 'invoice', object.invoice_id),
    }),
  }));
}
