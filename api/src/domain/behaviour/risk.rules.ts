import type { CustomerBehaviour } from './behaviour.schemas.ts';
import type { RiskLevel, RiskReason, RiskThresholds } from './risk.schemas.ts';

export const DEFAULT_RISK_THRESHOLDS: RiskThresholds = {
  chronic_share_paid_late: 0.5,
  chronic_min_paid_invoices: 3,
  chronic_average_days_late: 30,
  broken_promises: 1,
  breached_plans: 1,
  unanswered_reminders: 2,
  large_overdue: { CHF: 500000, EUR: 500000, GBP: 500000, USD: 500000 },
};

/** Points per reason: a breached plan weighs twice, the rest once. */
const POINTS = { chronic_lateness: 1, broken_promises: 1, breached_plan: 2, unanswered: 1, large_overdue: 1 } as const;

/** The level for a score: 0 low, 1 medium, 2–3 high, 4 or more critical. */
export function levelOf(score: number): RiskLevel {
  if (score <= 0) return 'low';
  if (score === 1) return 'medium';
  if (score <= 3) return 'high';
  return 'critical';
}

/**
 * The risk level of a customer from its payment behaviour: each reason whose threshold is reached
 * adds its points, and the sum gives the level (docs/behaviour.md#risk). Pure: the same behaviour
 * and thresholds always give the same answer.
 */
export function assessRisk(
  behaviour: CustomerBehaviour,
  thresholds: RiskThresholds = DEFAULT_RISK_THRESHOLDS,
): { level: RiskLevel; reasons: RiskReason[] } {
  const reasons: RiskReason[] = [];
  const share = behaviour.share_paid_late;
  const slowest = behaviour.currencies
    .filter((c) => c.average_days_late !== null)
    .sort((a, b) => (b.average_days_late ?? 0) - (a.average_days_late ?? 0))[0];
  if (
    share !== null &&
    behaviour.paid_invoices >= thresholds.chronic_min_paid_invoices &&
    share >= thresholds.chronic_share_paid_late
  )
    reasons.push({
      code: 'chronic_lateness',
      points: POINTS.chronic_lateness,
      value: share,
      threshold: thresholds.chronic_share_paid_late,
      currency: null,
    });
  else if (slowest && (slowest.average_days_late ?? 0) >= thresholds.chronic_average_days_late)
    reasons.push({
      code: 'chronic_lateness',
      points: POINTS.chronic_lateness,
      value: slowest.average_days_late ?? 0,
      threshold: thresholds.chronic_average_days_late,
      currency: slowest.currency,
    });
  if (behaviour.promises_broken >= thresholds.broken_promises)
    reasons.push({
      code: 'broken_promises',
      points: POINTS.broken_promises,
      value: behaviour.promises_broken,
      threshold: thresholds.broken_promises,
      currency: null,
    });
  if (behaviour.payment_plans_breached >= thresholds.breached_plans)
    reasons.push({
      code: 'breached_plan',
      points: POINTS.breached_plan,
      value: behaviour.payment_plans_breached,
      threshold: thresholds.breached_plans,
      currency: null,
    });
  if (behaviour.unanswered_reminders >= thresholds.unanswered_reminders)
    reasons.push({
      code: 'unanswered',
      points: POINTS.unanswered,
      value: behaviour.unanswered_reminders,
      threshold: thresholds.unanswered_reminders,
      currency: null,
    });
  for (const c of behaviour.currencies) {
    const limit = thresholds.large_overdue[c.currency];
    if (limit !== undefined && c.overdue_amount >= limit)
      reasons.push({
        code: 'large_overdue',
        points: POINTS.large_overdue,
        value: c.overdue_amount,
        threshold: limit,
        currency: c.currency,
      });
  }
  // Several currencies over their limit are one reason's worth of points.
  const codes = new Set(reasons.map((r) => r.code));
  const score = [...codes].reduce((n, code) => n + POINTS[code], 0);
  return { level: levelOf(score), reasons };
}

/** The account's thresholds over the defaults. */
export function thresholdsOf(stored: Partial<RiskThresholds> | null | undefined): RiskThresholds {
  return { ...DEFAULT_RISK_THRESHOLDS, ...(stored ?? {}) };
}
