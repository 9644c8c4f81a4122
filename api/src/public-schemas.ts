import { Account, AccountUpdate } from './domain/accounts/account.schemas.ts';
import { ApiKey, ApiKeyCreate, ApiKeyWithSecret } from './domain/api-keys/api-key.schemas.ts';
import { Customer, CustomerCreate, CustomerUpdate } from './domain/customers/customer.schemas.ts';
import { Dispute, DisputeCreate, DisputeResolve } from './domain/disputes/dispute.schemas.ts';
import { Event } from './domain/events/event.schemas.ts';
import { EVENT_PAYLOAD_SCHEMAS } from './domain/events/payloads.ts';
import { Invoice, InvoiceCreate, InvoiceUpdate } from './domain/invoices/invoice.schemas.ts';
import { InvoiceFee, InvoiceFeeWaive, ReferenceRate, ReferenceRateCreate, ReferenceRateList } from './domain/late-fees/late-fee.schemas.ts';
import { Message, Suppression } from './domain/messages/message.schemas.ts';
import { PauseCreate, PromiseToPay } from './domain/pauses/pause.schemas.ts';
import { PaymentTerms, PaymentTermsCreate, PaymentTermsUpdate } from './domain/payment-terms/terms.schemas.ts';
import { Payment, PaymentApplyCredit, PaymentCreate, PaymentReverse } from './domain/payments/payment.schemas.ts';
import { PaymentPlan, PaymentPlanCancel, PaymentPlanCreate, PaymentPlanInstallmentMissed } from './domain/payment-plans/payment-plan.schemas.ts';
import { ListOf } from './domain/shared/schemas.ts';
import { BankTransaction, BankTransactionConfirm, BankTransactionImport, BankTransactionImportResult, BankTransactionReject } from './domain/bank-transactions/bank-transaction.schemas.ts';
import { Task, TaskComplete, TaskUpdate } from './domain/tasks/task.schemas.ts';
import { Template, TemplateContent, TemplateDeleted, TemplatePreview, TemplatePreviewRequest } from './domain/templates/template.schemas.ts';
import { ReminderPolicy, ReminderPolicyCreate, ReminderPolicyUpdate } from './domain/reminders/policy.schemas.ts';
import { TestClock, TestClockAdvance, Timeline } from './domain/reminders/timeline.service.ts';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEndpointCreate, WebhookEndpointUpdate, WebhookResend, WebhookSecretRotate } from './domain/webhooks/webhook.schemas.ts';
import { bodyAjv, queryAjv } from './validation.ts';

/** The named objects of the public API: OpenAPI components, shared by REST validation and the services. */
export const PUBLIC_SCHEMAS = [
  Account,
  AccountUpdate,
  ApiKey,
  ApiKeyCreate,
  ApiKeyWithSecret,
  ListOf('ApiKey'),
  Customer,
  CustomerCreate,
  CustomerUpdate,
  ListOf('Customer'),
  PaymentTerms,
  PaymentTermsCreate,
  PaymentTermsUpdate,
  ListOf('PaymentTerms'),
  Invoice,
  InvoiceCreate,
  InvoiceUpdate,
  ListOf('Invoice'),
  InvoiceFee,
  InvoiceFeeWaive,
  ListOf('InvoiceFee'),
  ReferenceRate,
  ReferenceRateCreate,
  ReferenceRateList,
  Message,
  ListOf('Message'),
  Suppression,
  ListOf('Suppression'),
  Template,
  TemplateContent,
  TemplateDeleted,
  TemplatePreview,
  TemplatePreviewRequest,
  ListOf('Template'),
  ReminderPolicy,
  ReminderPolicyCreate,
  ReminderPolicyUpdate,
  ListOf('ReminderPolicy'),
  Timeline,
  TestClock,
  TestClockAdvance,
  Task,
  TaskUpdate,
  TaskComplete,
  ListOf('Task'),
  Dispute,
  DisputeCreate,
  DisputeResolve,
  ListOf('Dispute'),
  PauseCreate,
  PromiseToPay,
  Event,
  ListOf('Event'),
  ...EVENT_PAYLOAD_SCHEMAS,
  Payment,
  PaymentCreate,
  PaymentApplyCredit,
  PaymentReverse,
  ListOf('Payment'),
  PaymentPlan,
  PaymentPlanInstallmentMissed,
  PaymentPlanCreate,
  PaymentPlanCancel,
  ListOf('PaymentPlan'),
  BankTransaction,
  BankTransactionImport,
  BankTransactionImportResult,
  BankTransactionConfirm,
  BankTransactionReject,
  ListOf('BankTransaction'),
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointUpdate,
  WebhookSecretRotate,
  WebhookResend,
  ListOf('WebhookEndpoint'),
  WebhookAttempt,
  ListOf('WebhookAttempt'),
  WebhookDelivery,
  ListOf('WebhookDelivery'),
];

for (const ajv of [bodyAjv, queryAjv]) {
  for (const schema of PUBLIC_SCHEMAS) if (!ajv.getSchema(String((schema as { $id?: string }).$id))) ajv.addSchema(schema);
}
