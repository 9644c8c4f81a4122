import type { Clock } from './clock.ts';
import { createAccountService } from './domain/accounts/account.service.ts';
import { createApiKeyService } from './domain/api-keys/api-key.service.ts';
import { createCustomerService } from './domain/customers/customer.service.ts';
import { createIdempotencyService } from './domain/idempotency/idempotency.service.ts';
import { createInvoiceService } from './domain/invoices/invoice.service.ts';
import { createPaymentTermsService } from './domain/payment-terms/terms.service.ts';
import type { Database } from './store/database.ts';

/** Every use case of the domain, wired by hand: REST routes, GraphQL resolvers, jobs and the CLI call these. */
export function createServices(deps: { database: Database; clock: Clock; onAccountChanged?: (accountId: string) => void }) {
  return {
    accounts: createAccountService(deps),
    apiKeys: createApiKeyService(deps),
    customers: createCustomerService(deps),
    paymentTerms: createPaymentTermsService(deps),
    invoices: createInvoiceService(deps),
    idempotency: createIdempotencyService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
