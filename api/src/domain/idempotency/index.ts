// The idempotency module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { createIdempotencyService, type IdempotencyService } from './idempotency.service.ts';
