import Type from 'typebox';
import { Nullable, Timestamp } from '../shared/index.ts';

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const RISK_REASON_CODES = [
  'chronic_lateness',
  'broken_promises',
  'breached_plan',
  'unanswered',
  'large_overdue',
] as const;
export type RiskReasonCode = (typeof RISK_REASON_CODES)[number];

const Level = Type.Enum([...RISK_LEVELS]);

export const RiskThresholds = Type.Object(
  {
    chronic_share_paid_late: Type.Number({
      minimum: 0,
      maximum: 1,
      description: '`chronic_lateness` when at least this share of the invoices paid in 12 months was paid late (0.5)…',
    }),
    chronic_min_paid_invoices: Type.Integer({
      minimum: 1,
      maximum: 1000,
      description: '…out of at least this many paid invoices (3),',
    }),
    chronic_average_days_late: Type.Integer({
      minimum: 1,
      maximum: 3650,
      description: '…or when the average days late in a currency reaches this (30).',
    }),
    broken_promises: Type.Integer({
      minimum: 1,
      maximum: 100,
      description: '`broken_promises` from this many promises broken in 12 months (1).',
    }),
    breached_plans: Type.Integer({
      minimum: 1,
      maximum: 100,
      description: '`breached_plan` from this many payment plans breached in 12 months (1).',
    }),
    unanswered_reminders: Type.Integer({
      minimum: 1,
      maximum: 100,
      description: '`unanswered` from this many firm reminders left unanswered for 7 days (2).',
    }),
    large_overdue: Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), Type.Integer({ minimum: 1 }), {
      description:
        '`large_overdue` when the overdue amount in a currency reaches its figure here, in minor units (default: 500000 for EUR, GBP, USD and CHF; other currencies are not assessed unless listed).',
    }),
  },
  { additionalProperties: false },
);
export type RiskThresholds = Type.Static<typeof RiskThresholds>;

/** What an account may set: any of the thresholds, the rest keep their defaults. */
export const RiskThresholdsUpdate = Type.Partial(RiskThresholds, { additionalProperties: false });
export type RiskThresholdsUpdate = Type.Static<typeof RiskThresholdsUpdate>;

export const RiskReason = Type.Object(
  {
    code: Type.Enum([...RISK_REASON_CODES]),
    points: Type.Integer({ description: 'What it adds to the score that gives the level.' }),
    value: Type.Number({ description: 'The figure observed (a share, a count, days or minor units).' }),
    threshold: Type.Number({ description: 'The threshold it reached.' }),
    currency: Nullable(Type.String({ description: 'For figures in a currency (days late, overdue amount).' })),
  },
  { additionalProperties: false },
);
export type RiskReason = Type.Static<typeof RiskReason>;

export const CustomerRisk = Type.Object(
  {
    object: Type.Literal('customer_risk'),
    customer_id: Type.String(),
    level: Type.Enum([...RISK_LEVELS], {
      description: 'The level in force: the override when there is one, else the assessed level.',
    }),
    assessed_level: Level,
    reasons: Type.Array(RiskReason, { description: 'Why the assessed level: empty for `low`.' }),
    assessed_at: Nullable(Timestamp),
    override: Nullable(
      Type.Object(
        { level: Level, reason: Type.String(), set_at: Timestamp },
        { additionalProperties: false, description: 'A person overruled the assessment; kept until lifted.' },
      ),
    ),
  },
  { $id: 'CustomerRisk', additionalProperties: false },
);
export type CustomerRisk = Type.Static<typeof CustomerRisk>;

export const RiskOverride = Type.Object(
  {
    level: Level,
    reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why, for the next person who reads it.' }),
  },
  { $id: 'RiskOverride', additionalProperties: false },
);
export type RiskOverride = Type.Static<typeof RiskOverride>;

export const CustomerRiskChange = Type.Object(
  {
    customer_id: Type.String(),
    previous_level: Level,
    level: Level,
    reasons: Type.Array(RiskReason),
    overridden: Type.Boolean({ description: 'The new level is a manual override.' }),
  },
  { $id: 'CustomerRiskChange', additionalProperties: false },
);
export type CustomerRiskChange = Type.Static<typeof CustomerRiskChange>;
