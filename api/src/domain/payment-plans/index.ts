// The payment-plans module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export {
  cancelPlanOfClosedInvoice,
  markMissedInstallments,
  syncPlansAfterPayments,
} from './payment-plan.lifecycle.ts';
export { installmentWithCount, missedInstallmentCandidates } from './payment-plan.repository.ts';
export { MAX_INSTALLMENTS, splitMonthly, suspendedPeriod, withoutSuspendedDays } from './payment-plan.rules.ts';
export {
  PaymentPlan,
  PaymentPlanCancel,
  PaymentPlanCreate,
  type PaymentPlanInstallment,
  PaymentPlanInstallmentMissed,
  PaymentPlanListQuery,
} from './payment-plan.schemas.ts';
export { agreePlanIn, createPaymentPlanService, planRefusal } from './payment-plan.service.ts';
