import type { Customer, CustomerCreate, CustomerListQuery, CustomerUpdate } from '../../domain/customers/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { Deleted, listType, pageArgs } from './common.ts';

export const CustomerKind = builder.enumType('CustomerKind', {
  description:
    'A `BUSINESS` or a `CONSUMER`: statutory B2B late fees never apply to a consumer, and messages to one carry no B2B legal mentions.',
  values: { BUSINESS: { value: 'business' }, CONSUMER: { value: 'consumer' } } as const,
});

type Address = NonNullable<Customer['billing_address']>;

export const PostalAddressRef = builder.objectRef<Address>('PostalAddress').implement({
  description: 'A postal address.',
  fields: (t) => ({
    line1: t.exposeString('line1'),
    line2: t.string({ nullable: true, resolve: (a) => a.line2 ?? null }),
    postalCode: t.string({ nullable: true, resolve: (a) => a.postal_code ?? null }),
    city: t.exposeString('city'),
    region: t.string({ nullable: true, resolve: (a) => a.region ?? null }),
    country: t.exposeString('country', { description: 'ISO 3166-1 alpha-2 code.' }),
  }),
});

export const PostalAddressInput = builder.inputType('PostalAddressInput', {
  description: 'A postal address; the postal code is checked for the country.',
  fields: (t) => ({
    line1: t.string({ required: true }),
    line2: t.string(),
    postalCode: t.string(),
    city: t.string({ required: true }),
    region: t.string(),
    country: t.string({ required: true, description: 'ISO 3166-1 alpha-2 code: `FR`, `GB`…' }),
  }),
});

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
    kind: t.expose('kind', { type: CustomerKind }),
    legalName: t.exposeString('legal_name', { nullable: true }),
    registrationNumber: t.exposeString('registration_number', {
      nullable: true,
      description: 'SIREN/SIRET in France, Companies House number in the UK…',
    }),
    vatNumber: t.exposeString('vat_number', { nullable: true, description: 'With its country prefix, no spaces.' }),
    billingAddress: t.field({ type: PostalAddressRef, nullable: true, resolve: (c) => c.billing_address ?? null }),
    phone: t.exposeString('phone', { nullable: true }),
    mobile: t.exposeString('mobile', {
      nullable: true,
      description: 'Mobile number for text messages, in E.164 (`+33612345678`).',
    }),
    locale: t.exposeString('locale', { nullable: true }),
    timeZone: t.exposeString('time_zone', { nullable: true }),
    paymentTermsId: t.exposeID('payment_terms_id', { nullable: true }),
    reminderPolicyId: t.exposeID('reminder_policy_id', {
      nullable: true,
      description:
        "The reminder policy of this customer's invoices (unless an invoice has its own); null follows the account default.",
    }),
    metadata: t.expose('metadata', { type: 'Metadata' }),
    erasedAt: t.expose('erased_at', { type: 'DateTime', nullable: true }),
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
      kind: t.field({ type: CustomerKind, description: 'Default `BUSINESS`.' }),
      legalName: t.string(),
      registrationNumber: t.string(),
      vatNumber: t.string(),
      billingAddress: t.field({ type: PostalAddressInput }),
      phone: t.string(),
      mobile: t.string({
        description:
          "Mobile number for text messages: international form, or the national form of the customer's (else the account's) billing country.",
      }),
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
  anonymizeCustomer: t.field({
    type: CustomerRef,
    description:
      "Erases a customer's personal data, irreversibly; its invoices, payments and fees stay (see docs/erasure.md).",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => services.erasure.anonymize(actor, String(id)),
  }),
}));
