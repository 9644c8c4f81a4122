// The erasure module's door: a debtor's personal data erased, message bodies past their retention.
// Everything else in this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { createErasureService } from './erasure.service.ts';
