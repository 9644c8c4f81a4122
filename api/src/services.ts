import type { Clock } from './clock.ts';
import { createAccountService } from './domain/accounts/account.service.ts';
import { createApiKeyService } from './domain/api-keys/api-key.service.ts';
import { createCustomerService } from './domain/customers/customer.service.ts';
import { createDisputeService } from './domain/disputes/dispute.service.ts';
import { createEventService } from './domain/events/event.service.ts';
import { createIdempotencyService } from './domain/idempotency/idempotency.service.ts';
import { createInvoiceService } from './domain/invoices/invoice.service.ts';
import { createLateFeeService } from './domain/late-fees/late-fee.service.ts';
import { createMessageService } from './domain/messages/message.service.ts';
import { createPauseService } from './domain/pauses/pause.service.ts';
import { createPaymentService } from './domain/payments/payment.service.ts';
import { createPaymentPlanService } from './domain/payment-plans/payment-plan.service.ts';
import { createBankTransactionService } from './domain/bank-transactions/bank-transaction.service.ts';
import { createPaymentTermsService } from './domain/payment-terms/terms.service.ts';
import { createMessageComposer } from './mail/composer.ts';
import { createReminderEngine } from './domain/reminders/engine.ts';
import { createReminderPolicyService } from './domain/reminders/policy.service.ts';
import { flagInvoicesOfPolicy, replanInvoices } from './domain/reminders/schedule.ts';
import { cancelPlanOfClosedInvoice } from './domain/payment-plans/payment-plan.lifecycle.ts';
import { createReminderScheduler } from './domain/reminders/scheduler.ts';
import { createTaskService } from './domain/tasks/task.service.ts';
import { createTimelineService } from './domain/reminders/timeline.service.ts';
import { createTemplateService, resolveTemplate } from './domain/templates/template.service.ts';
import { createOutboxTransport } from './mail/outbox.ts';
import type { EmailTransport } from './mail/transport.ts';
import type { Database } from './store/database.ts';
import { createWebhookDelivery } from './domain/webhooks/delivery.ts';
import type { TargetPolicy } from './domain/webhooks/target.ts';
import { createWebhookService } from './domain/webhooks/webhook.service.ts';

/** Every use case of the domain, wired by hand: REST routes, GraphQL resolvers, jobs and the CLI call these. */
export function createServices(deps: {
  database: Database;
  clock: Clock;
  onAccountChanged?: (accountId: string) => void;
  /** Where reminder emails go; the local outbox unless a provider is configured. */
  transport?: EmailTransport;
  /** Which addresses webhook endpoints may reach (private ones only when the operator allows it). */
  webhookTargets?: TargetPolicy;
}) {
  const webhookTargets = deps.webhookTargets ?? { allowPrivateTargets: false };
  const transport = deps.transport ?? createOutboxTransport();
  const templates = createTemplateService(deps);
  const composer = createMessageComposer(resolveTemplate);
  const engine = createReminderEngine({ ...deps, transport, composer });
  const scheduler = createReminderScheduler({ ...deps, engine });
  // Cross-module reactions, handed to the modules below reminders and plans as narrow dependencies.
  const replan = replanInvoices;
  const reacting = { ...deps, replan };
  return {
    reminderPolicies: createReminderPolicyService({ ...deps, onPolicyChanged: (trx, _actor, policyId) => flagInvoicesOfPolicy(trx, policyId) }),
    reminders: { engine, scheduler },
    timeline: createTimelineService({ ...deps, composer, scheduler }),
    templates,
    accounts: createAccountService(deps),
    apiKeys: createApiKeyService(deps),
    customers: createCustomerService(deps),
    paymentTerms: createPaymentTermsService(deps),
    invoices: createInvoiceService({
      ...reacting,
      cancelPlanOfClosedInvoice: (trx, ctx, invoice) => cancelPlanOfClosedInvoice(trx, { ...ctx, replan }, invoice),
    }),
    lateFees: createLateFeeService(deps),
    idempotency: createIdempotencyService(deps),
    messages: createMessageService(deps),
    tasks: createTaskService(reacting),
    disputes: createDisputeService(reacting),
    pauses: createPauseService(reacting),
    events: createEventService(deps),
    payments: createPaymentService(reacting),
    paymentPlans: createPaymentPlanService(reacting),
    bankTransactions: createBankTransactionService(reacting),
    webhooks: createWebhookService({ ...deps, targets: webhookTargets }),
    webhookDelivery: createWebhookDelivery({ ...deps, targets: webhookTargets }),
  };
}

export type Services = ReturnType<typeof createServices>;
