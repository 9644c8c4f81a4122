import { type CustomerRisk, RISK_REASON_CODES } from '../../domain/behaviour/index.ts';
import { notFound } from '../../errors.ts';
import { builder } from '../builder.ts';
import { CustomerRef } from './customer.ts';
import { RiskLevelEnum, values } from './risk-settings.ts';

type Reason = CustomerRisk['reasons'][number];
type Override = NonNullable<CustomerRisk['override']>;

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
      id: t.arg.id({ required: true }),
      level: t.arg({ type: RiskLevelEnum, required: true }),
      reason: t.arg.string({ required: true }),
    },
    resolve: (_root, args, { actor, services }) =>
      services.risk.override(actor, String(args.id), { level: args.level, reason: args.reason }),
  }),
  liftCustomerRiskOverride: t.field({
    type: CustomerRiskRef,
    description: 'Lifts the override: the assessed level is in force again.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { actor, services }) => services.risk.liftOverride(actor, String(args.id)),
  }),
}));
