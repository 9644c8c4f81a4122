import { type CustomerRisk, RISK_LEVELS, RISK_REASON_CODES } from '../../domain/behaviour/index.ts';
import { notFound } from '../../errors.ts';
import type { Account, AccountUpdate } from '../../domain/accounts/index.ts';
import { builder } from '../builder.ts';
import { toServiceInput } from '../convert.ts';
import { AccountRef } from './account.ts';
import { CustomerKind, CustomerRef } from './customer.ts';
import { CurrencyAmountInput, CurrencyAmountRef } from './reminder-policy.ts';

type Reason = CustomerRisk['reasons'][number];
type Override = NonNullable<CustomerRisk['override']>;

const values = <T extends string>(list: readonly T[]) =>
  Object.fromEntries(list.map((v) => [v.toUpperCase(), { value: v }])) as Record<Uppercase<T>, { value: T }>;

const RiskLevelEnum = builder.enumType('RiskLevel', { values: values(RISK_LEVELS) });
const RiskReasonCodeEnum = builder.enumType('RiskReasonCode', { values: values(RISK_REASON_CODES) });

const RiskReasonRef = builder.objectRef<Reason>('RiskReason').implement({
  description: 'One reason of an assessed risk level: the figure observed and the threshold it reached.',
  fields: (t) => ({
    code: t.field({ type: RiskReasonCodeEnum, resolve: (r) => r.code }),
    points: t.exposeInt('points'),
    value: t.exposeFloat('value'),
    threshold: t.exposeFloat('threshold'),
    currency: t.exposeString('currency', { nullable: true }),
  }),
});

const RiskOverrideRef = builder.objectRef<Override>('RiskOverride').implement({
  description: 'A person overruled the assessment; kept until lifted.',
  fields: (t) => ({
    level: t.field({ type: RiskLevelEnum, resolve: (o) => o.level }),
    reason: t.exposeString('reason'),
    setAt: t.expose('set_at', { type: 'DateTime' }),
  }),
});

const CustomerRiskRef = builder.objectRef<CustomerRisk>('CustomerRisk').implement({
  description:
    "A customer's risk level, advisory and explained (REST: `GET /v1/customers/{id}/risk`; thresholds in docs/behaviour.md#risk).",
  fields: (t) => ({
    level: t.field({
      type: RiskLevelEnum,
      description: 'The level in force: the override when there is one.',
      resolve: (r) => r.level,
    }),
    assessedLevel: t.field({ type: RiskLevelEnum, resolve: (r) => r.assessed_level }),
    reasons: t.field({ type: [RiskReasonRef], resolve: (r) => r.reasons }),
    assessedAt: t.expose('assessed_at', { type: 'DateTime', nullable: true }),
    override: t.field({ type: RiskOverrideRef, nullable: true, resolve: (r) => r.override }),
  }),
});

builder.objectFields(CustomerRef, (t) => ({
  risk: t.field({
    type: CustomerRiskRef,
    description:
      'The risk level, assessed now from the payment behaviour; a list of customers is assessed in one batch.',
    resolve: async (customer, _args, { loaders }) => {
      const risk = await loaders.riskOfCustomer.load(customer.id);
      if (!risk) throw notFound('customer', customer.id);
      return risk;
    },
  }),
}));

builder.mutationFields((t) => ({
  overrideCustomerRisk: t.field({
    type: CustomerRiskRef,
    description: "Overrules a customer's assessed risk level until lifted; the reason is kept with it.",
    args: {
      customerId: t.arg.id({ required: true }),
      level: t.arg({ type: RiskLevelEnum, required: true }),
      reason: t.arg.string({ required: true }),
    },
    resolve: (_root, args, { actor, services }) =>
      services.risk.override(actor, String(args.customerId), { level: args.level, reason: args.reason }),
  }),
  liftCustomerRiskOverride: t.field({
    type: CustomerRiskRef,
    description: 'Lifts the override: the assessed level is in force again.',
    args: { customerId: t.arg.id({ required: true }) },
    resolve: (_root, args, { actor, services }) => services.risk.liftOverride(actor, String(args.customerId)),
  }),
}));

type Thresholds = Account['risk_thresholds'];
type Rule = Account['policy_rules'][number];

const RiskThresholdsRef = builder.objectRef<Thresholds>('RiskThresholds').implement({
  description: 'The thresholds of the risk assessment in force (docs/behaviour.md#risk).',
  fields: (t) => ({
    chronicSharePaidLate: t.exposeFloat('chronic_share_paid_late'),
    chronicMinPaidInvoices: t.exposeInt('chronic_min_paid_invoices'),
    chronicAverageDaysLate: t.exposeInt('chronic_average_days_late'),
    brokenPromises: t.exposeInt('broken_promises'),
    breachedPlans: t.exposeInt('breached_plans'),
    unansweredReminders: t.exposeInt('unanswered_reminders'),
    largeOverdue: t.field({
      type: [CurrencyAmountRef],
      resolve: (th) =>
        Object.entries(th.large_overdue)
          .map(([currency, amount]) => ({ currency, amount }))
          .sort((a, b) => a.currency.localeCompare(b.currency)),
    }),
  }),
});

const PolicyRuleRef = builder.objectRef<Rule>('PolicyRule').implement({
  description: 'Applies its policy when every condition given holds (docs/reminders.md#policies-by-rule).',
  fields: (t) => ({
    policyId: t.exposeID('policy_id'),
    riskLevels: t.field({ type: [RiskLevelEnum], nullable: true, resolve: (r) => r.risk_levels ?? null }),
    customerKinds: t.field({ type: [CustomerKind], nullable: true, resolve: (r) => r.customer_kinds ?? null }),
    currencies: t.stringList({ nullable: true, resolve: (r) => r.currencies ?? null }),
    amountMin: t.field({ type: 'Amount', nullable: true, resolve: (r) => r.amount_min ?? null }),
    amountMax: t.field({ type: 'Amount', nullable: true, resolve: (r) => r.amount_max ?? null }),
  }),
});

builder.objectFields(AccountRef, (t) => ({
  riskThresholds: t.field({ type: RiskThresholdsRef, resolve: (a) => a.risk_thresholds }),
  policyRules: t.field({
    type: [PolicyRuleRef],
    description: 'Policies by rule, in order: the first that matches an invoice applies.',
    resolve: (a) => a.policy_rules,
  }),
}));

const RiskThresholdsInput = builder.inputType('RiskThresholdsInput', {
  description: 'The thresholds to change; the others keep their value.',
  fields: (t) => ({
    chronicSharePaidLate: t.float(),
    chronicMinPaidInvoices: t.int(),
    chronicAverageDaysLate: t.int(),
    brokenPromises: t.int(),
    breachedPlans: t.int(),
    unansweredReminders: t.int(),
    largeOverdue: t.field({ type: [CurrencyAmountInput], description: 'Replaces the whole list.' }),
  }),
});

const PolicyRuleInput = builder.inputType('PolicyRuleInput', {
  fields: (t) => ({
    policyId: t.id({ required: true }),
    riskLevels: t.field({ type: [RiskLevelEnum] }),
    customerKinds: t.field({ type: [CustomerKind] }),
    currencies: t.stringList(),
    amountMin: t.int(),
    amountMax: t.int(),
  }),
});

builder.mutationFields((t) => ({
  setRiskThresholds: t.field({
    type: AccountRef,
    description: 'Changes thresholds of the risk assessment (null restores every default). REST: `PATCH /v1/account`.',
    args: { input: t.arg({ type: RiskThresholdsInput }) },
    resolve: (_root, { input }, { actor, services }) => {
      if (!input) return services.accounts.update(actor, { risk_thresholds: null });
      const { largeOverdue, ...rest } = input;
      const body = toServiceInput<Record<string, unknown>>(rest);
      if (largeOverdue) body.large_overdue = Object.fromEntries(largeOverdue.map((c) => [c.currency, c.amount]));
      return services.accounts.update(actor, { risk_thresholds: body } as AccountUpdate);
    },
  }),
  setPolicyRules: t.field({
    type: AccountRef,
    description: "Replaces the account's policies by rule (an empty list removes them). REST: `PATCH /v1/account`.",
    args: { rules: t.arg({ type: [PolicyRuleInput], required: true }) },
    resolve: (_root, { rules }, { actor, services }) =>
      services.accounts.update(actor, {
        policy_rules: rules.map((r) =>
          toServiceInput<Rule>(Object.fromEntries(Object.entries(r).filter(([, v]) => v != null))),
        ),
      }),
  }),
}));
