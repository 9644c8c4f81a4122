import type { Account, AccountUpdate } from '../../domain/accounts/index.ts';
import { RISK_LEVELS } from '../../domain/behaviour/index.ts';
import { builder } from '../builder.ts';
import { toServiceInput } from '../convert.ts';
import { CustomerKind } from './customer.ts';
import { CurrencyAmountInput, CurrencyAmountRef } from './reminder-policy.ts';

// The account's risk thresholds and policy rules as GraphQL shows and takes them (`Account`,
// `UpdateAccountInput`); the customer's risk itself is in risk.ts.

export const values = <T extends string>(list: readonly T[]) =>
  Object.fromEntries(list.map((v) => [v.toUpperCase(), { value: v }])) as Record<Uppercase<T>, { value: T }>;

export const RiskLevelEnum = builder.enumType('RiskLevel', { values: values(RISK_LEVELS) });

type Thresholds = Account['risk_thresholds'];

/** A REST map of amounts by currency (`{"EUR": 500}`) as GraphQL lists it, by currency. */
export const currencyAmounts = (map: Readonly<Record<string, number>>) =>
  Object.entries(map)
    .map(([currency, amount]) => ({ currency, amount }))
    .sort((a, b) => a.currency.localeCompare(b.currency));

/** The reverse: a GraphQL list of amounts as the REST map. */
const amountMap = (list: ReadonlyArray<{ currency: string; amount: number }>) =>
  Object.fromEntries(list.map((c) => [c.currency, c.amount]));
type Rule = Account['policy_rules'][number];

export const RiskThresholdsRef = builder.objectRef<Thresholds>('RiskThresholds').implement({
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
      resolve: (th) => currencyAmounts(th.large_overdue),
    }),
  }),
});

export const PolicyRuleRef = builder.objectRef<Rule>('PolicyRule').implement({
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

export const RiskThresholdsInput = builder.inputType('RiskThresholdsInput', {
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

export const PolicyRuleInput = builder.inputType('PolicyRuleInput', {
  fields: (t) => ({
    policyId: t.id({ required: true }),
    riskLevels: t.field({ type: [RiskLevelEnum] }),
    customerKinds: t.field({ type: [CustomerKind] }),
    currencies: t.stringList(),
    amountMin: t.int(),
    amountMax: t.int(),
  }),
});

type SettingsInput = {
  riskThresholds?: { largeOverdue?: Array<{ currency: string; amount: number }> | null } | null;
  policyRules?: Array<Record<string, unknown>> | null;
  portalPlanMinInstallment?: Array<{ currency: string; amount: number }> | null;
};

/** `UpdateAccountInput` as the service's input: `largeOverdue` as a map, rules without their unset conditions. */
export function accountUpdateOf(input: SettingsInput & Record<string, unknown>): AccountUpdate {
  const { riskThresholds, policyRules, portalPlanMinInstallment, ...rest } = input;
  const update = toServiceInput<Record<string, unknown>>(rest);
  if (portalPlanMinInstallment === null) update.portal_plan_min_installment = {};
  else if (portalPlanMinInstallment) update.portal_plan_min_installment = amountMap(portalPlanMinInstallment);
  if (riskThresholds === null) update.risk_thresholds = null;
  else if (riskThresholds) {
    const { largeOverdue, ...thresholds } = riskThresholds;
    const converted = toServiceInput<Record<string, unknown>>(thresholds);
    if (largeOverdue) converted.large_overdue = amountMap(largeOverdue);
    update.risk_thresholds = converted;
  }
  if (policyRules)
    update.policy_rules = policyRules.map((r) =>
      toServiceInput<Rule>(Object.fromEntries(Object.entries(r).filter(([, v]) => v != null))),
    );
  return update as AccountUpdate;
}
