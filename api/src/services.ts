import type { Clock } from './clock.ts';
import { createAccountService } from './domain/accounts/index.ts';
import { createApiKeyService } from './domain/api-keys/index.ts';
import { createCustomerService } from './domain/customers/index.ts';
import { createDisputeService } from './domain/disputes/index.ts';
import { createPaymentClaimService } from './domain/claims/index.ts';
import { createEventService } from './domain/events/index.ts';
import { createIdempotencyService } from './domain/idempotency/index.ts';
import { createInvoiceService } from './domain/invoices/index.ts';
import { createLateFeeService } from './domain/late-fees/index.ts';
import { createMessageService, createSmsService } from './domain/messages/index.ts';
import { createPauseService } from './domain/pauses/index.ts';
import { createPaymentService } from './domain/payments/index.ts';
import { cancelPlanOfClosedInvoice, createPaymentPlanService } from './domain/payment-plans/index.ts';
import { createBankTransactionService } from './domain/bank-transactions/index.ts';
import { createPaymentTermsService } from './domain/payment-terms/index.ts';
import { createMessageComposer } from './mail/composer.ts';
import { formalNoticePdf } from './documents/formal-notice-pdf.ts';
import { createStatementRenderer } from './documents/customer-statement.ts';
import {
  createChannels,
  createReminderEngine,
  createReminderPolicyService,
  createReminderRetryService,
  createReminderVetoService,
  createReminderRetention,
  createReminderScheduler,
  createTimelineService,
  countInvoicesOfPolicy,
  releaseRemindersSkippedAsPaid,
  replanInvoices,
  type SchedulerScope,
} from './domain/reminders/index.ts';
import { createTaskService } from './domain/tasks/index.ts';
import { createDocumentService, createFormalNoticeWriter } from './domain/documents/index.ts';
import { createTemplateService, hasTextMessage, resolveTemplate } from './domain/templates/index.ts';
import { createRelatedService } from './domain/related/index.ts';
import { createBehaviourService, createRiskService } from './domain/behaviour/index.ts';
import { createReportService } from './domain/reports/index.ts';
import { createOutboxTransport } from './mail/outbox.ts';
import { createSenderDirectory, type SenderDeps } from './mail/senders.ts';
import type { EmailTransport } from './mail/transport.ts';
import { createSmsOutbox, type SmsTransport } from './sms/transport.ts';
import { createSecretBox } from './secrets.ts';
import { createPortalService, type PortalConfig, portalUrlIn } from './domain/portal/index.ts';
import { createEinvoiceService } from './domain/einvoicing/index.ts';
import { createErasureService } from './domain/erasure/index.ts';
import { createStatementMailer } from './domain/statements/index.ts';
import { createSenderService } from './domain/senders/index.ts';
import type { Database } from './store/database.ts';
import {
  createWebhookDelivery,
  createWebhookService,
  fetchGuarded,
  type TargetPolicy,
  targetPolicyFor,
} from './domain/webhooks/index.ts';

/** The largest invoice PDF an email attaches, and how long fetching it may take. */
const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
const ATTACHMENT_TIMEOUT_MS = 10_000;

/** Every use case of the domain, wired by hand: REST routes, GraphQL resolvers, jobs and the CLI call these. */
export function createServices(deps: {
  database: Database;
  clock: Clock;
  onAccountChanged?: (accountId: string) => void;
  /** Where reminder emails go; the local outbox unless a provider is configured. */
  transport?: EmailTransport;
  /** Where text messages go (the local outbox by default) and the sender of accounts that set none. */
  sms?: { transport: SmsTransport; sender: string | null };
  /** Accounts' own Resend keys (domain/senders); without it, they cannot set one and all send with `transport`. */
  senders?: SenderDeps;
  /** Which addresses webhook endpoints may reach (private ones only when the operator allows it). */
  webhookTargets?: TargetPolicy;
  /**
   * The one-statement writes of invoice creation and of a payment to one invoice (default true).
   * With false every write takes the general path; a test holds both to the same results.
   */
  fastPaths?: boolean;
  /** The customer page's links: the public URL they start with and the key that seals their tokens. */
  portal?: { publicUrl: string };
  /** Base of the reminders' back-off, also the lease of a claimed call (REMINDER_RETRY_SECONDS); 30 s by default. */
  reminderRetryMs?: number;
}) {
  const webhookTargets = deps.webhookTargets ?? { allowPrivateTargets: false };
  const transport = deps.transport ?? createOutboxTransport();
  const templates = createTemplateService(deps);
  const portalConfig: PortalConfig = {
    publicUrl: deps.portal?.publicUrl ?? 'http://localhost:3000',
    secrets: deps.senders?.secrets ?? createSecretBox(undefined),
  };
  const composer = createMessageComposer(resolveTemplate, (trx, args) => portalUrlIn(trx, portalConfig, args));
  const senders = deps.senders ?? {
    secrets: createSecretBox(undefined),
    probe: async () => ({ kind: 'unavailable' as const, message: 'no provider is configured' }),
    defaultRate: 1,
    transportOf: () => transport,
  };
  // An account's own Resend key, else the service's transport: for reminders and statements alike.
  const transportFor = deps.senders ? createSenderDirectory(deps.database, deps.senders) : undefined;
  const channels = createChannels({
    transport,
    composer,
    letters: formalNoticePdf,
    sms: deps.sms ?? { transport: createSmsOutbox(), sender: null },
    ...(transportFor && { transportFor }),
  });
  const accounts = createAccountService(deps);
  const customers = createCustomerService(deps);
  const reports = createReportService(deps);
  const renderStatement = createStatementRenderer({ accounts, customers, reports });
  const engine = createReminderEngine({
    ...deps,
    ...(deps.reminderRetryMs !== undefined && { retryBaseMs: deps.reminderRetryMs }),
    channels,
    renderStatement,
    // An invoice's PDF for an email, with the guards of webhook deliveries (docs/email.md#attachments).
    fetchFile: (url, mode) =>
      fetchGuarded(url, targetPolicyFor(webhookTargets, mode), {
        maxBytes: ATTACHMENT_MAX_BYTES,
        timeoutMs: ATTACHMENT_TIMEOUT_MS,
      }),
  });
  const statements = createStatementMailer({
    ...deps,
    renderStatement,
    transportFor: async (accountId) => (await transportFor?.(accountId)) ?? transport,
    portalUrl: (trx, args) => portalUrlIn(trx, portalConfig, args),
  });
  const behaviour = createBehaviourService(deps);
  const risk = createRiskService({ ...deps, behaviour });
  // Formal notices are decided with their reminder and written as PDF afterwards, by the workers.
  const letters = createFormalNoticeWriter({ ...deps, renderer: formalNoticePdf });
  /** The letters a scheduler scope covers: one account's, or every account's. */
  const lettersOf = (scope: SchedulerScope) => (scope.kind === 'account' ? { accountId: scope.accountId } : {});
  const scheduler = createReminderScheduler({
    ...deps,
    engine,
    assessRisk: { run: risk.sweep, due: risk.sweepDue },
    sendStatements: { run: statements.run, due: statements.runDue },
    writeLetters: {
      run: (scope) => letters.writeAllPending(lettersOf(scope)),
      due: (trx, scope) => letters.pendingDue(trx, lettersOf(scope)),
    },
  });
  // Cross-module reactions, handed to the modules below reminders and plans as narrow dependencies.
  const replan = replanInvoices;
  const reacting = { ...deps, replan };
  return {
    reminderPolicies: createReminderPolicyService({
      ...deps,
      invoicesToReplan: (trx, actor, policyId) => countInvoicesOfPolicy(trx, actor.accountId, policyId),
      textTemplateExists: hasTextMessage,
    }),
    reminders: {
      engine,
      scheduler,
      retries: createReminderRetryService(deps),
      vetoes: createReminderVetoService(deps),
      retention: createReminderRetention(deps),
    },
    timeline: createTimelineService({ ...deps, channels, scheduler, nextStatementAfter: statements.nextAfter }),
    statements,
    templates,
    accounts,
    einvoicing: createEinvoiceService(reacting),
    erasure: createErasureService(deps),
    senders: createSenderService({ ...deps, ...senders }),
    apiKeys: createApiKeyService(deps),
    customers,
    paymentTerms: createPaymentTermsService(deps),
    invoices: createInvoiceService({
      ...reacting,
      cancelPlanOfClosedInvoice: (trx, ctx, invoice) => cancelPlanOfClosedInvoice(trx, { ...ctx, replan }, invoice),
    }),
    related: createRelatedService(deps),
    reports,
    behaviour,
    portal: createPortalService({ ...reacting, portal: portalConfig }),
    risk,
    lateFees: createLateFeeService(deps),
    idempotency: createIdempotencyService(deps),
    messages: createMessageService(deps),
    sms: createSmsService(deps),
    tasks: createTaskService(reacting),
    documents: createDocumentService(deps),
    letters,
    disputes: createDisputeService(reacting),
    paymentClaims: createPaymentClaimService(reacting),
    pauses: createPauseService(reacting),
    events: createEventService(deps),
    payments: createPaymentService({ ...reacting, releaseRemindersSkippedAsPaid }),
    paymentPlans: createPaymentPlanService(reacting),
    bankTransactions: createBankTransactionService(reacting),
    webhooks: createWebhookService({ ...deps, targets: webhookTargets }),
    webhookDelivery: createWebhookDelivery({
      ...deps,
      targets: webhookTargets,
      onEventsTaken: behaviour.noteEventsIn,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
