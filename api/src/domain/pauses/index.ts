// The pauses module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { assertInvoiceStatus, assertNotPast } from './pause.rules.ts';
export { PauseCreate, PromiseToPay } from './pause.schemas.ts';
export { createPauseService, type PauseContext, pauseInvoiceIn, resumeInvoiceIn } from './pause.service.ts';
export { recordPromise } from './promise.ts';
