/**
 * A customer's statement of account as the PDF it reads, made for an email (a step's
 * `attach_statement`, the monthly statement) the way `GET /v1/customers/{id}/statement?format=pdf`
 * makes it: the same statement, the same document, in the customer's language.
 */
import type { Account } from '../domain/accounts/index.ts';
import type { Customer } from '../domain/customers/index.ts';
import type { StatementRenderer } from '../domain/documents/index.ts';
import type { Statement, StatementQuery } from '../domain/reports/index.ts';
import type { Actor } from '../domain/shared/index.ts';
import { statementPdf } from './statement-pdf.ts';

/** The statement's language: the customer's locale, else the account's; French or English. */
export function statementLocale(customer: Pick<Customer, 'locale'>, account: Pick<Account, 'locale'>): 'fr' | 'en' {
  return (customer.locale ?? account.locale ?? 'en').slice(0, 2).toLowerCase() === 'fr' ? 'fr' : 'en';
}

/** The file's name: `releve-de-compte-2026-03-01-2026-03-31.pdf`, `statement-2026-03-01-2026-03-31.pdf`. */
export const statementFilename = (locale: 'fr' | 'en', statement: Pick<Statement, 'from' | 'to'>) =>
  `${locale === 'fr' ? 'releve-de-compte' : 'statement'}-${statement.from}-${statement.to}.pdf`;

/** The renderer the domain is handed (services.ts): reads through the same services as the API. */
export function createStatementRenderer(services: {
  accounts: { get(actor: Actor): Promise<Account> };
  customers: { get(actor: Actor, id: string): Promise<Customer> };
  reports: { statement(actor: Actor, customerId: string, input: StatementQuery): Promise<Statement> };
}): StatementRenderer {
  return async ({ accountId, customerId, from, to }) => {
    const reader: Actor = { accountId, keyId: null, readOnly: true, mode: 'live', timeZone: 'UTC' };
    const account = await services.accounts.get(reader);
    const actor: Actor = { ...reader, mode: account.mode, timeZone: account.time_zone };
    const customer = await services.customers.get(actor, customerId);
    const statement = await services.reports.statement(actor, customerId, { from, to });
    const locale = statementLocale(customer, account);
    const content = await statementPdf(statement, { account, customer, locale });
    const balances = statement.currencies.map((c) => ({ currency: c.currency, amount: c.closing_balance }));
    return { content, filename: statementFilename(locale, statement), locale, balances };
  };
}
