import { buildReminderContext, resolveTemplateLocale, type TemplateLocale } from './context.ts';
import { renderTemplate, type TemplateSource } from './render.ts';
import type { Db } from '../store/database.ts';
import { presentAccount } from '../domain/accounts/index.ts';
import { presentCustomer } from '../domain/customers/index.ts';
import { presentInvoice } from '../domain/invoices/index.ts';
import type { MessageComposer } from '../domain/reminders/index.ts';

/** Finds the template to render: the account's override of `key` in `locale`, else the default. */
export type TemplateResolver = (trx: Db, key: string, locale: TemplateLocale) => Promise<TemplateSource>;

/** Templates whose text speaks of reminders already sent. */
const PRESUPPOSES_EARLIER_REMINDER = new Set(['overdue_firm', 'final_notice']);

/** Whether the debtor already received a reminder email about this invoice (read under the invoice's lock). */
async function anEmailWasSent(trx: Db, accountId: string, invoiceId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('messages')
    .select('id')
    .where('account_id', '=', accountId)
    .where('invoice_id', '=', invoiceId)
    .where('channel', '=', 'email')
    .where('status', 'in', ['sent', 'delivered', 'bounced', 'complained'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Renders a reminder email in the customer's language with the invoice as it is right now. */
export function createMessageComposer(resolveTemplate: TemplateResolver): MessageComposer {
  return {
    async compose(trx, { account, customer, invoice, occurrence, today }) {
      const locale = resolveTemplateLocale(customer.locale, account.locale);
      let key = occurrence.template_key ?? 'overdue_friendly';
      // A step whose text presupposes earlier reminders ("despite our reminders…") is never the
      // debtor's first message about this invoice: the first one states the facts instead.
      if (PRESUPPOSES_EARLIER_REMINDER.has(key) && !(await anEmailWasSent(trx, invoice.account_id, invoice.id)))
        key = 'overdue_friendly';
      const source = await resolveTemplate(trx, key, locale);
      const installment = occurrence.payment_plan_id
        ? await trx
            .selectFrom('payment_plan_installments')
            .select([
              'number',
              'due_date',
              'amount',
              'paid_amount',
              (eb) =>
                eb
                  .selectFrom('payment_plan_installments as all')
                  .select((e) => e.fn.countAll<number>().as('n'))
                  .whereRef('all.plan_id', '=', 'payment_plan_installments.plan_id')
                  .as('count'),
            ])
            .where('plan_id', '=', occurrence.payment_plan_id)
            .where('number', '=', occurrence.installment_number)
            .executeTakeFirst()
        : undefined;
      const context = buildReminderContext({
        account: presentAccount(account),
        customer: presentCustomer(customer),
        invoice: presentInvoice(invoice, today),
        today,
        stepKey: key,
        offsetDays: occurrence.offset_days,
        installment: installment ? { ...installment, count: Number(installment.count) } : null,
        locale,
      });
      return { ...renderTemplate(source, context), locale, templateKey: key };
    },
  };
}
