// The payment-terms module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { BUILTIN_PAYMENT_TERMS, DEFAULT_TERMS_CODE, dueDateFor } from './terms.rules.ts';
export { PaymentTerms, PaymentTermsCreate, PaymentTermsUpdate } from './terms.schemas.ts';
export { insertBuiltinPaymentTerms, ruleOf } from './terms.repository.ts';
export { createPaymentTermsService, findPaymentTerms } from './terms.service.ts';
