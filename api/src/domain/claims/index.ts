// The payment claims module's door: "I have already paid", from the customer page or the API.
export {
  PaymentClaim,
  PaymentClaimCreate,
  PaymentClaimListQuery,
  PaymentClaimReject,
} from './payment-claim.schemas.ts';
export {
  claimPaymentIn,
  confirmClaimsAfterPayment,
  createPaymentClaimService,
  expirePaymentClaims,
  hasOpenClaim,
  type PaymentClaimService,
} from './payment-claim.service.ts';
export { expiredClaimCandidates } from './payment-claim.repository.ts';
