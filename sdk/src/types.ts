import type { components } from './schema.d.ts';

type Schemas = components['schemas'];

export type Account = Schemas['Account'];
export type AccountUpdate = Schemas['AccountUpdate'];
export type ApiKey = Schemas['ApiKey'];
export type ApiKeyCreate = Schemas['ApiKeyCreate'];
export type ApiKeyWithSecret = Schemas['ApiKeyWithSecret'];
export type ApiKeyList = Schemas['ApiKeyList'];
export type Customer = Schemas['Customer'];
export type CustomerCreate = Schemas['CustomerCreate'];
export type CustomerUpdate = Schemas['CustomerUpdate'];
export type CustomerList = Schemas['CustomerList'];
export type PaymentTerms = Schemas['PaymentTerms'];
export type PaymentTermsCreate = Schemas['PaymentTermsCreate'];
export type PaymentTermsUpdate = Schemas['PaymentTermsUpdate'];
export type PaymentTermsList = Schemas['PaymentTermsList'];
export type Invoice = Schemas['Invoice'];
export type InvoiceCreate = Schemas['InvoiceCreate'];
export type InvoiceUpdate = Schemas['InvoiceUpdate'];
export type InvoiceList = Schemas['InvoiceList'];
export type InvoiceStatus = Invoice['status'];
export type LineItem = Invoice['line_items'][number];
/** RFC 9457 problem details: the body of every error response. */
export type Problem = Schemas['Problem'];
export type FieldError = NonNullable<Problem['errors']>[number];

/** Any named schema of the API: `Schema<'ReminderPolicy'>`, `Schema<'Dispute'>`… */
export type Schema<Name extends keyof Schemas> = Schemas[Name];
export type Payment = Schemas['Payment'];
export type PaymentCreate = Schemas['PaymentCreate'];
export type PaymentList = Schemas['PaymentList'];
export type Event = Schemas['Event'];
export type EventList = Schemas['EventList'];
export type Task = Schemas['Task'];
export type Dispute = Schemas['Dispute'];
export type Message = Schemas['Message'];
export type ReminderPolicy = Schemas['ReminderPolicy'];
