import type { PauseCreate, PromiseToPay } from '../../domain/pauses/index.ts';
import { builder } from '../builder.ts';
import { toServiceInput } from '../convert.ts';
import { CustomerRef } from './customer.ts';
import { InvoiceRef, PauseRef } from './invoice.ts';

// A customer's pause lives with the operations that change it (customer.ts cannot import invoice.ts).
builder.objectFields(CustomerRef, (t) => ({
  pause: t.expose('pause', {
    type: PauseRef,
    nullable: true,
    description: "The pause of all this customer's reminders, or null (a pause whose date passed is over).",
  }),
}));

const PauseInput = builder.inputType('PauseInput', {
  description: 'Without `until`, the pause lasts until resumed.',
  fields: (t) => ({
    until: t.field({ type: 'Date', description: 'The last day of the pause, today or later.' }),
    reason: t.string({ description: 'Why reminders are paused; shown with the pause.' }),
  }),
});

const PromiseInput = builder.inputType('PromiseToPayInput', {
  description: '`date` is required: null clears the promise.',
  fields: (t) => ({
    date: t.field({
      type: 'Date',
      description: 'The day the customer promised to pay, today or later; null clears the promise.',
    }),
    note: t.string({ description: 'What was agreed; kept in the `promise.made` event.' }),
  }),
});

builder.mutationFields((t) => {
  const byId = { id: t.arg.id({ required: true }) };
  return {
    pauseInvoice: t.field({
      type: InvoiceRef,
      description: "Pauses an invoice's reminders until a date or until resumed; pausing again replaces the pause.",
      args: { ...byId, input: t.arg({ type: PauseInput }) },
      resolve: (_root, { id, input }, { actor, services }) =>
        services.pauses.pauseInvoice(actor, String(id), toServiceInput<PauseCreate>(input ?? {})),
    }),
    resumeInvoice: t.field({
      type: InvoiceRef,
      description: "Lifts an invoice's pause.",
      args: byId,
      resolve: (_root, { id }, { actor, services }) => services.pauses.resumeInvoice(actor, String(id)),
    }),
    setInvoicePromise: t.field({
      type: InvoiceRef,
      description: 'Records (or clears, with `date: null`) the date a customer promised to pay an invoice.',
      args: { ...byId, input: t.arg({ type: PromiseInput, required: true }) },
      resolve: (_root, { id, input }, { actor, services }) =>
        services.pauses.setPromise(actor, String(id), toServiceInput<PromiseToPay>(input)),
    }),
    pauseCustomer: t.field({
      type: CustomerRef,
      description: "Pauses the reminders of all a customer's invoices until a date or until resumed.",
      args: { ...byId, input: t.arg({ type: PauseInput }) },
      resolve: (_root, { id, input }, { actor, services }) =>
        services.pauses.pauseCustomer(actor, String(id), toServiceInput<PauseCreate>(input ?? {})),
    }),
    resumeCustomer: t.field({
      type: CustomerRef,
      description: "Lifts a customer's pause.",
      args: byId,
      resolve: (_root, { id }, { actor, services }) => services.pauses.resumeCustomer(actor, String(id)),
    }),
  };
});
