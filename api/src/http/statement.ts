import type { Actor } from '../domain/shared/index.ts';
import type { Statement } from '../domain/reports/index.ts';
import { statementLocale } from '../documents/customer-statement.ts';
import { statementPdf } from '../documents/statement-pdf.ts';
import type { Services } from '../services.ts';

/**
 * A customer's statement as the PDF the customer reads, in its language (its locale, else the
 * account's; French or English): what `GET /v1/customers/{id}/statement?format=pdf` and the
 * customer page's download both answer.
 */
export async function customerStatementPdf(services: Services, actor: Actor, statement: Statement): Promise<Buffer> {
  const [account, customer] = await Promise.all([
    services.accounts.get(actor),
    services.customers.get(actor, statement.customer_id),
  ]);
  return statementPdf(statement, { account, customer, locale: statementLocale(customer, account) });
}
