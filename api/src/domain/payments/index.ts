// The payments module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export {
  type AllocationRow,
  type PaymentRow,
  paymentsOfInvoices,
  presentPayment,
  presentPaymentWithAllocations,
} from './payment.repository.ts';
export { PAYABLE_STATUSES } from './payment.rules.ts';
export {
  AllocationInput,
  Payment,
  type PaymentAllocation,
  PaymentApplyCredit,
  PaymentCreate,
  PAYMENT_EXPANSIONS,
  PaymentGetQuery,
  PaymentListQuery,
  PaymentReverse,
} from './payment.schemas.ts';
export { createPaymentService, recordPayment } from './payment.service.ts';
