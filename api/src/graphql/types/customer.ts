import type { Customer, CustomerCreate, CustomerListQuery, CustomerUpdate } from '../../domain/customers/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { Deleted, listType, pageArgs } from './common.ts';

export const CustomerRef = builder.objectRef<Customer>('Customer').implement({
  description: 'Someone who owes invoices: the debtor reminders are sent to.',
  fields: (t) => ({
    id: t.exposeID('id'),
    externalId: t.exposeString('external_id', {
      nullable: true,
      description: 'Your CRM or shop id, unique in the account.',
    }),
    name: t.exposeString('name'),
    email: t.exposeString('email', { nullable: true }),
    ccEmails: t.exposeStringList('cc_emails', { description: 'Copied on every reminder.' }),
    contactName: t.exposeString('contact_name', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    locale: t.exposeString('locale', { nullable: true }),
    timeZone: t.exposeString('time_zone', { nullable: true }),
    paymentTermsId: t.exposeID('payment_terms_id', { nullable: true }),
    reminderPolicyId: t.exposeID('reminder_policy_id', {
      nullable: true,
      description:
        "The reminder policy of this customer's invoices (unless an invoice has its own); null follows the account default.",
    }),
    metadata: t.expose('metadata', { type: 'Metadata' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

const CustomerList = listType('Customer', CustomerRef);

// Input fields are optional in the SDL on purpose: the service validates (`name` is required to
// create), so a bad input gets the same code and field pointer as over REST.
function customerInput(name: string, description: string) {
  return builder.inputType(name, {
    description,
    fields: (t) => ({
      name: t.string(),
      externalId: t.string({ description: 'Your CRM or shop id, unique in the account.' }),
      email: t.string(),
      ccEmails: t.stringList({ description: 'Up to 10 addresses copied on every reminder.' }),
      contactName: t.string(),
      phone: t.string(),
      locale: t.string({ description: 'BCP 47 language tag: `fr`, `en`, `fr-FR`…' }),
      timeZone: t.string({ description: 'IANA time zone.' }),
      paymentTermsId: t.id(),
      reminderPolicyId: t.id({
        description: "The reminder policy of this customer's invoices; null follows the account default.",
      }),
      metadata: t.field({ type: 'Metadata' }),
    }),
  });
}

/** Also the inline customer of `createInvoice`, where `externalId` is required. */
export const CreateCustomerInput = customerInput('CreateCustomerInput', 'A new customer: `name` is required.');
const UpdateCustomerInput = customerInput(
  'UpdateCustomerInput',
  'The fields to change (at least one); null clears an optional field.',
);

builder.queryFields((t) => ({
  customer: t.field({
    type: CustomerRef,
    nullable: true,
    description: 'A customer of this account, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.customers.get(actor, String(id))),
  }),
  customers: t.field({
    type: CustomerList,
    description: 'Customers, newest first.',
    args: {
      ...pageArgs,
      externalId: t.arg.string({ description: 'Only the customer with this external id.' }),
      email: t.arg.string({ description: 'Only customers with this email.' }),
    },
    resolve: (_root, args, { actor, services }) => services.customers.list(actor, toListQuery<CustomerListQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  createCustomer: t.field({
    type: CustomerRef,
    description: 'Creates a customer; `externalId` is unique in the account.',
    args: { input: t.arg({ type: CreateCustomerInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) =>
      services.customers.create(actor, toServiceInput<CustomerCreate>(input)),
  }),
  updateCustomer: t.field({
    type: CustomerRef,
    description: 'Changes a customer; null clears an optional field.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateCustomerInput, required: true }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.customers.update(actor, String(id), toServiceInput<CustomerUpdate>(input)),
  }),
  deleteCustomer: t.field({
    type: Deleted,
    description: 'Deletes a customer that has no invoice (`customer/in_use` otherwise).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => services.customers.delete(actor, String(id)),
  }),
}));
