// The disputes module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { Dispute, DisputeCreate, DisputeListQuery, DisputeResolve } from './dispute.schemas.ts';
export { createDisputeService, openDisputeIn } from './dispute.service.ts';
