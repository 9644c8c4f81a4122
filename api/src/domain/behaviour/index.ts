// The behaviour module's door: how each customer pays (lateness, reminders, promises, plans), and
// the risk level assessed from it.
export { CustomerBehaviour } from './behaviour.schemas.ts';
export { createBehaviourService, type BehaviourService } from './behaviour.service.ts';
export { DEFAULT_RISK_THRESHOLDS, assessRisk, thresholdsOf } from './risk.rules.ts';
export {
  CustomerRisk,
  CustomerRiskChange,
  RISK_LEVELS,
  RISK_REASON_CODES,
  RiskOverride,
  RiskThresholds,
  RiskThresholdsUpdate,
  type RiskLevel,
} from './risk.schemas.ts';
export { createRiskService, type RiskService } from './risk.service.ts';
