import { Account, AccountUpdate } from './domain/accounts/index.ts';
import { PortalEvent, PortalLink, PortalLinkRevoked } from './domain/portal/index.ts';
import { CustomerBehaviour, CustomerRisk, CustomerRiskChange, RiskOverride } from './domain/behaviour/index.ts';
import { AgingReport, DsoReport, ForecastReport, Statement } from './domain/reports/index.ts';
import { ApiKey, ApiKeyCreate, ApiKeyWithSecret } from './domain/api-keys/index.ts';
import { Customer, CustomerCreate, CustomerUpdate } from './domain/customers/index.ts';
import { Dispute, DisputeCreate, DisputeResolve } from './domain/disputes/index.ts';
import { PaymentClaim, PaymentClaimCreate, PaymentClaimReject } from './domain/claims/index.ts';
import { Event, EVENT_PAYLOAD_SCHEMAS } from './domain/events/index.ts';
import { Invoice, InvoiceCreate, InvoiceUpdate } from './domain/invoices/index.ts';
import {
  InvoiceFee,
  InvoiceFeeWaive,
  ReferenceRate,
  ReferenceRateCreate,
  ReferenceRateList,
} from './domain/late-fees/index.ts';
import { Message, PhoneSuppression, PhoneSuppressionRemoved, Suppression } from './domain/messages/index.ts';
import { PauseCreate, PromiseToPay } from './domain/pauses/index.ts';
import { PaymentTerms, PaymentTermsCreate, PaymentTermsUpdate } from './domain/payment-terms/index.ts';
import { Payment, PaymentApplyCredit, PaymentCreate, PaymentReverse } from './domain/payments/index.ts';
import {
  PaymentPlan,
  PaymentPlanCancel,
  PaymentPlanCreate,
  PaymentPlanInstallmentMissed,
} from './domain/payment-plans/index.ts';
import { ListOf } from './domain/shared/index.ts';
import {
  BankStatementImport,
  BankTransaction,
  BankTransactionConfirm,
  BankTransactionImport,
  BankTransactionImportResult,
  BankTransactionReject,
} from './domain/bank-transactions/index.ts';
import { Task, TaskComplete, TaskUpdate } from './domain/tasks/index.ts';
import { Document } from './domain/documents/index.ts';
import { StatementMailing } from './domain/statements/index.ts';
import {
  Template,
  TemplateContent,
  TemplateDeleted,
  TemplatePreview,
  TemplatePreviewRequest,
} from './domain/templates/index.ts';
import {
  ReminderDelivery,
  ReminderPolicy,
  ReminderPolicyCreate,
  ReminderPolicyUpdate,
  RemindersRequeued,
  RemindersRetry,
  ReminderHold,
  TestClock,
  TestClockAdvance,
  TestClockReset,
  Timeline,
} from './domain/reminders/index.ts';
import {
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointUpdate,
  WebhookResend,
  WebhookSecretRotate,
} from './domain/webhooks/index.ts';
import { AccountSender, AccountSenderDeleted, AccountSenderUpdate } from './domain/senders/index.ts';
import { EinvoiceStatus, EinvoiceStatusCreate, InvoiceCollection } from './domain/einvoicing/index.ts';
import { bodyAjv, queryAjv } from './validation.ts';

/** The named objects of the public API: OpenAPI components, shared by REST validation and the services. */
export const PUBLIC_SCHEMAS = [
  Account,
  AccountUpdate,
  AccountSender,
  AccountSenderUpdate,
  AccountSenderDeleted,
  AgingReport,
  Statement,
  CustomerBehaviour,
  CustomerRisk,
  PortalLink,
  PortalLinkRevoked,
  PortalEvent,
  CustomerRiskChange,
  RiskOverride,
  EinvoiceStatus,
  EinvoiceStatusCreate,
  InvoiceCollection,
  ListOf('EinvoiceStatus'),
  DsoReport,
  ForecastReport,
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
  PhoneSuppression,
  PhoneSuppressionRemoved,
  ListOf('PhoneSuppression'),
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
  ReminderDelivery,
  RemindersRetry,
  ReminderHold,
  RemindersRequeued,
  TestClock,
  TestClockAdvance,
  TestClockReset,
  Task,
  Document,
  StatementMailing,
  TaskUpdate,
  TaskComplete,
  ListOf('Task'),
  Dispute,
  DisputeCreate,
  DisputeResolve,
  ListOf('Dispute'),
  PaymentClaim,
  PaymentClaimCreate,
  PaymentClaimReject,
  ListOf('PaymentClaim'),
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
  BankStatementImport,
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
  for (const schema of PUBLIC_SCHEMAS)
    if (!ajv.getSchema(String((schema as { $id?: string }).$id))) ajv.addSchema(schema);
}
