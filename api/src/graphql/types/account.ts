import { AppError } from '../../errors.ts';
import type { AccountSender } from '../../domain/senders/index.ts';
import type { Account } from '../../domain/accounts/index.ts';
import { builder } from '../builder.ts';
import { PostalAddressInput, PostalAddressRef } from './customer.ts';
import { LateFeePreset } from './late-fee.ts';
import { CurrencyAmountInput, CurrencyAmountRef } from './reminder-policy.ts';
import {
  accountUpdateOf,
  currencyAmounts,
  PolicyRuleInput,
  PolicyRuleRef,
  RiskThresholdsInput,
  RiskThresholdsRef,
} from './risk-settings.ts';

export const AccountMode = builder.enumType('AccountMode', {
  description: '`LIVE` data, or `TEST` data kept apart for trying the API.',
  values: { LIVE: { value: 'live' }, TEST: { value: 'test' } } as const,
});

const AccountSenderRef = builder.objectRef<AccountSender>('AccountSender').implement({
  description:
    "An account's own email provider credential (set in REST: PUT /v1/account/sender). The key is never shown.",
  fields: (t) => ({
    provider: t.exposeString('provider'),
    apiKeyLast4: t.exposeString('api_key_last4'),
    domain: t.exposeString('domain', { nullable: true }),
    domainStatus: t.exposeString('domain_status', {
      nullable: true,
      description:
        '`verified`, `pending`… as Resend said when the key was checked; `unchecked` for a sending-only key.',
    }),
    webhookSecretSet: t.exposeBoolean('webhook_secret_set'),
    providerEventsPath: t.exposeString('provider_events_path'),
    ratePerSecond: t.exposeFloat('rate_per_second'),
    checkedAt: t.expose('checked_at', { type: 'DateTime' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

export const AccountRef = builder.objectRef<Account>('Account').implement({
  description: 'The tenant an API key belongs to, with the settings reminders use.',
  fields: (t) => ({
    id: t.exposeID('id'),
    mode: t.expose('mode', { type: AccountMode }),
    name: t.exposeString('name'),
    legalName: t.exposeString('legal_name', { nullable: true }),
    registrationNumber: t.exposeString('registration_number', { nullable: true }),
    vatNumber: t.exposeString('vat_number', { nullable: true }),
    billingAddress: t.field({ type: PostalAddressRef, nullable: true, resolve: (a) => a.billing_address ?? null }),
    defaultCurrency: t.exposeString('default_currency'),
    locale: t.exposeString('locale'),
    timeZone: t.exposeString('time_zone', { description: 'IANA time zone: "today" and "overdue" are computed in it.' }),
    senderName: t.exposeString('sender_name', { nullable: true }),
    senderEmail: t.exposeString('sender_email', { nullable: true }),
    replyTo: t.exposeString('reply_to', { nullable: true }),
    contactPhone: t.exposeString('contact_phone', { nullable: true }),
    paymentInstructions: t.exposeString('payment_instructions', { nullable: true }),
    defaultPaymentTermsId: t.exposeID('default_payment_terms_id', { nullable: true }),
    defaultReminderPolicyId: t.exposeID('default_reminder_policy_id', {
      nullable: true,
      description: 'The reminder policy of invoices and customers that name none.',
    }),
    lateFeePreset: t.expose('late_fee_preset', {
      type: LateFeePreset,
      description: 'Statutory late fees for invoices whose terms set no rule of their own.',
    }),
    portalEnabled: t.exposeBoolean('portal_enabled'),
    portalDaysAfterPaid: t.exposeInt('portal_days_after_paid'),
    portalPromiseMaxDays: t.exposeInt('portal_promise_max_days'),
    maxContactsPerWeek: t.exposeInt('max_contacts_per_week', {
      description: 'Contacts (messages and letters) a customer may get in any 7 days.',
    }),
    minDaysBetweenContacts: t.exposeInt('min_days_between_contacts', {
      description: 'Days between two contacts of a customer.',
    }),
    smsSender: t.exposeString('sms_sender', {
      nullable: true,
      description: "Who text messages come from (a number in E.164 or an alphanumeric id); null: the service's.",
    }),
    daytimeFromHour: t.exposeInt('daytime_from_hour', {
      description: "Texts and calls reach a customer from this hour, in the customer's time zone.",
    }),
    daytimeUntilHour: t.exposeInt('daytime_until_hour', { description: '…and until this hour, exclusive.' }),
    paymentClaimHoldDays: t.exposeInt('payment_claim_hold_days', {
      description: 'Days reminders wait after the customer says it paid.',
    }),
    monthlyStatements: t.exposeBoolean('monthly_statements', {
      description: 'Every customer with a balance gets its statement of account by email once a month.',
    }),
    statementDay: t.exposeInt('statement_day', { description: 'The day of the month the monthly statement goes.' }),
    portalPlanMaxInstallments: t.exposeInt('portal_plan_max_installments', {
      description: 'The most installments a customer may agree on its page without a person.',
    }),
    portalPlanMaxDays: t.exposeInt('portal_plan_max_days', {
      description: 'How far ahead the last installment of a plan agreed on the page may fall.',
    }),
    portalPlanMinInstallment: t.field({
      type: [CurrencyAmountRef],
      description: 'The smallest installment of a plan agreed on the page, per currency.',
      resolve: (a) => currencyAmounts(a.portal_plan_min_installment),
    }),
    brandColour: t.exposeString('brand_colour', { nullable: true }),
    logoUrl: t.exposeString('logo_url', { nullable: true }),
    checkoutUrlTemplate: t.exposeString('checkout_url_template', { nullable: true }),
    riskThresholds: t.field({
      type: RiskThresholdsRef,
      description: "The thresholds of the customers' risk assessment in force (docs/behaviour.md#risk).",
      resolve: (a) => a.risk_thresholds,
    }),
    policyRules: t.field({
      type: [PolicyRuleRef],
      description: 'Policies by rule, in order: the first that matches an invoice applies.',
      resolve: (a) => a.policy_rules,
    }),
    sender: t.field({
      type: AccountSenderRef,
      nullable: true,
      description: "The account's own email provider credential, or null: it sends with the service's.",
      resolve: async (_account, _args, { actor, services }) => {
        try {
          return await services.senders.get(actor);
        } catch (error) {
          if (error instanceof AppError && error.code === 'account_sender/not_found') return null;
          throw error;
        }
      },
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

const UpdateAccountInput = builder.inputType('UpdateAccountInput', {
  description: 'The settings to change; give at least one. Null clears an optional setting.',
  fields: (t) => ({
    name: t.string(),
    legalName: t.string(),
    registrationNumber: t.string(),
    vatNumber: t.string(),
    billingAddress: t.field({ type: PostalAddressInput }),
    defaultCurrency: t.string({ description: 'ISO 4217 code, upper case.' }),
    locale: t.string({ description: 'BCP 47 language tag: `fr`, `en`, `fr-FR`…' }),
    timeZone: t.string({ description: 'IANA time zone.' }),
    senderName: t.string(),
    senderEmail: t.string(),
    replyTo: t.string(),
    contactPhone: t.string(),
    paymentInstructions: t.string(),
    defaultPaymentTermsId: t.id(),
    defaultReminderPolicyId: t.id({ description: 'An `rp_…` reminder policy of this account.' }),
    lateFeePreset: t.field({ type: LateFeePreset }),
    portalEnabled: t.boolean({ description: "Whether reminders link to the customer's page and it opens." }),
    portalDaysAfterPaid: t.int({ description: 'Days the page still opens after everything is paid.' }),
    portalPromiseMaxDays: t.int({ description: 'How far ahead a promise made on the page may go, in days.' }),
    maxContactsPerWeek: t.int({ description: 'Contacts a customer may get in any 7 days (1 to 50).' }),
    minDaysBetweenContacts: t.int({ description: 'Days between two contacts of a customer (0 to 30).' }),
    smsSender: t.string({ description: 'Who text messages come from: a number in E.164 or an alphanumeric id.' }),
    daytimeFromHour: t.int({ description: "Texts and calls from this hour, customer's time zone (0 to 23)." }),
    daytimeUntilHour: t.int({ description: 'Texts and calls until this hour, exclusive (1 to 24).' }),
    paymentClaimHoldDays: t.int({ description: 'Days reminders wait after the customer says it paid (1 to 60).' }),
    monthlyStatements: t.boolean({ description: 'Send every customer with a balance its statement once a month.' }),
    statementDay: t.int({ description: 'The day of the month the monthly statement goes (1 to 28).' }),
    portalPlanMaxInstallments: t.int({
      description: 'The most installments a customer may agree on its page without a person (0 to 60).',
    }),
    portalPlanMaxDays: t.int({ description: 'How far ahead the last installment of a page plan may fall, in days.' }),
    portalPlanMinInstallment: t.field({
      type: [CurrencyAmountInput],
      description: 'The smallest installment of a plan agreed on the page, per currency (replaces the list).',
    }),
    brandColour: t.string({ description: 'The page accent colour, `#rrggbb`.' }),
    logoUrl: t.string({ description: 'An `https://` URL or a `data:image/…;base64,` image.' }),
    checkoutUrlTemplate: t.string({
      description: 'Where "pay all" leads: `{customer_id}`, `{customer_external_id}`, `{currency}`, `{amount}`.',
    }),
    riskThresholds: t.field({
      type: RiskThresholdsInput,
      description: 'Thresholds of the risk assessment to change (the others keep theirs); null restores the defaults.',
    }),
    policyRules: t.field({
      type: [PolicyRuleInput],
      description: 'Replaces the policies by rule, in order (an empty list removes them).',
    }),
  }),
});

builder.queryField('account', (t) =>
  t.field({
    type: AccountRef,
    description: 'The account of the API key.',
    resolve: (_root, _args, { actor, services }) => services.accounts.get(actor),
  }),
);

builder.mutationField('updateAccount', (t) =>
  t.field({
    type: AccountRef,
    description: 'Updates the account settings (time zone, sender, payment instructions…).',
    args: { input: t.arg({ type: UpdateAccountInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) => services.accounts.update(actor, accountUpdateOf(input)),
  }),
);
