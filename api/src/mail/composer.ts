import {
  buildGroupedContext,
  buildReminderContext,
  resolveTemplateLocale,
  type TemplateLocale,
  toneOf,
} from './context.ts';
import { GROUPED_TEMPLATE_KEY } from './templates/index.ts';
import { renderSms, renderTemplate, type TemplateSource } from './render.ts';
import type { Db } from '../store/database.ts';
import { presentAccount } from '../domain/accounts/index.ts';
import { presentCustomer } from '../domain/customers/index.ts';
import { feePartsOf } from '../domain/documents/index.ts';
import { presentInvoice } from '../domain/invoices/index.ts';
import { installmentWithCount } from '../domain/payment-plans/index.ts';
import type { ComposeInput, GroupedComposeInput, MessageComposer } from '../domain/reminders/index.ts';

/** Finds the template to render: the account's override of `key` in `locale`, else the default. */
export type TemplateResolver = (
  trx: Db,
  key: string,
  locale: TemplateLocale,
) => Promise<TemplateSource & { sms: string | null }>;

/** Renders a reminder email in the customer's language with the invoice as it is right now. */
/** The URL of the customer's page for a message (null: no link), created on first use in the caller's transaction. */
export type PortalUrl = (trx: Db, args: { accountId: string; customerId: string; now: Date }) => Promise<string | null>;

export function createMessageComposer(resolveTemplate: TemplateResolver, portalUrl?: PortalUrl): MessageComposer {
  /** The template of the reminder's step in the customer's language, and what it is rendered with. */
  async function prepare(trx: Db, { account, customer, invoice, occurrence, today, now }: ComposeInput) {
    const locale = resolveTemplateLocale(customer.locale, account.locale);
    // The engine has already chosen: a step that presupposes earlier reminders comes here as
    // `first_overdue` when it would be the customer's first message about the invoice.
    const key = occurrence.template_key ?? 'overdue_friendly';
    const source = await resolveTemplate(trx, key, locale);
    const installment = occurrence.payment_plan_id
      ? await installmentWithCount(trx, occurrence.payment_plan_id, occurrence.installment_number)
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
      // The fees as their parts, each with its rate, days and legal basis.
      fees: invoice.late_fees > 0 ? await feePartsOf(trx, invoice) : null,
      portalUrl:
        portalUrl && now ? await portalUrl(trx, { accountId: account.id, customerId: customer.id, now }) : null,
    });
    return { source, context, locale, key };
  }

  /** The `grouped` template and its variables: each invoice as its own reminder would show it. */
  async function prepareGrouped(trx: Db, { account, customer, items, lead, today, now }: GroupedComposeInput) {
    const locale = resolveTemplateLocale(customer.locale, account.locale);
    const source = await resolveTemplate(trx, GROUPED_TEMPLATE_KEY, locale);
    const presentedAccount = presentAccount(account);
    const presentedCustomer = presentCustomer(customer);
    const portal =
      portalUrl && now ? await portalUrl(trx, { accountId: account.id, customerId: customer.id, now }) : null;
    const inputs = [];
    for (const { invoice, occurrence, remindedBefore } of items)
      inputs.push({
        input: {
          account: presentedAccount,
          customer: presentedCustomer,
          invoice: presentInvoice(invoice, today),
          today,
          stepKey: occurrence.template_key ?? 'overdue_friendly',
          offsetDays: occurrence.offset_days,
          locale,
          fees: invoice.late_fees > 0 ? await feePartsOf(trx, invoice) : null,
          portalUrl: portal,
        },
        remindedBefore,
      });
    const leadOccurrence = items[lead]?.occurrence;
    const tone = toneOf(leadOccurrence?.template_key ?? null, leadOccurrence?.offset_days ?? 0);
    return { source, context: buildGroupedContext(inputs, lead, tone), locale };
  }

  return {
    async composeGrouped(trx, input) {
      const { source, context, locale } = await prepareGrouped(trx, input);
      return { ...renderTemplate(source, context), locale, templateKey: GROUPED_TEMPLATE_KEY };
    },
    async composeGroupedSms(trx, input) {
      const { source, context, locale } = await prepareGrouped(trx, input);
      if (source.sms === null)
        throw new Error(
          `template '${GROUPED_TEMPLATE_KEY}' in '${locale}' has no text message (set its \`sms\` with PUT /v1/templates)`,
        );
      return { text: renderSms(source.sms, context), locale, templateKey: GROUPED_TEMPLATE_KEY };
    },
    async compose(trx, input) {
      const { source, context, locale, key } = await prepare(trx, input);
      return { ...renderTemplate(source, context), locale, templateKey: key };
    },
    async composeSms(trx, input) {
      const { source, context, locale, key } = await prepare(trx, input);
      if (source.sms === null)
        throw new Error(
          `template '${key}' in '${locale}' has no text message (set its \`sms\` with PUT /v1/templates)`,
        );
      return { text: renderSms(source.sms, context), locale, templateKey: key };
    },
  };
}
